#include "parley/core/time.h"

#include <gtest/gtest.h>

namespace parley::core {
namespace {

TEST(Time, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatIso8601(FromMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(FromMillis(1'795'408'542'123)), "2026-11-23T04:35:42.123Z");
}

TEST(Time, ParsesIso8601WithZoneOffsets) {
  EXPECT_EQ(ToMillis(*ParseTimestamp("2026-11-23T04:35:42.123Z")), 1'795'408'542'123);
  EXPECT_EQ(ToMillis(*ParseTimestamp("2026-11-23T05:35:42.123+01:00")), 1'795'408'542'123);
  EXPECT_EQ(ToMillis(*ParseTimestamp("2026-11-22T23:35:42.123456-0500")), 1'795'408'542'123);
  EXPECT_EQ(ToMillis(*ParseTimestamp("2026-11-23T04:35:42Z")), 1'795'408'542'000);
}

TEST(Time, ParsesTwitterV1Dates) {
  EXPECT_EQ(FormatIso8601(*ParseTimestamp("Wed Oct 10 20:19:24 +0000 2018")),
            "2018-10-10T20:19:24.000Z");
}

TEST(Time, RejectsMalformedInput) {
  for (const char* bad :
       {"", "yesterday", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-23T04:35:42",
        "2026-11-23T04:35:42.Z", "2026-11-23T25:00:00Z", "2026-11-23T04:35:42+1"}) {
    EXPECT_FALSE(ParseTimestamp(bad)) << bad;
  }
}

TEST(Time, RoundTrips) {
  for (std::int64_t ms : {0LL, 1LL, 951'782'400'000LL /* leap day 2000 */, 4'102'444'799'999LL}) {
    EXPECT_EQ(ToMillis(*ParseTimestamp(FormatIso8601(FromMillis(ms)))), ms);
  }
}

TEST(TimeTest, ParsesHttpDates) {
  auto parsed = ParseHttpDate("Wed, 21 Oct 2015 07:28:00 GMT");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(FormatIso8601(*parsed), "2015-10-21T07:28:00.000Z");
  EXPECT_FALSE(ParseHttpDate("Wed, 21 Oct 2015 07:28:00 PST").has_value());
  EXPECT_FALSE(ParseHttpDate("Wed, 21 Foo 2015 07:28:00 GMT").has_value());
  EXPECT_FALSE(ParseHttpDate("120").has_value());
}

}  // namespace
}  // namespace parley::core
