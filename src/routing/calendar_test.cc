#include "parley/routing/calendar.h"

#include <gtest/gtest.h>

#include "parley/core/time.h"

namespace parley::routing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

Timestamp At(const char* iso) { return *core::ParseTimestamp(iso); }

domain::BusinessCalendar London() {
  domain::BusinessCalendar calendar;
  calendar.name = "london";
  calendar.time_zone = "Europe/London";
  for (std::size_t d = 0; d < 5; ++d) calendar.weekly[d] = {{9 * 60, 12 * 60}, {13 * 60, 17 * 60}};
  calendar.holidays = {{"2026-12-25", "Christmas"}};
  return calendar;
}

TEST(BusinessTime, WallClockCountsEveryInstant) {
  const auto wall = BusinessTime::WallClock();
  EXPECT_EQ(wall.Add(At("2026-03-27T16:50:00Z"), minutes(30)), At("2026-03-27T17:20:00Z"));
  EXPECT_EQ(wall.Between(At("2026-03-27T16:50:00Z"), At("2026-03-27T17:20:00Z")), minutes(30));
  EXPECT_FALSE(wall.NextChange(At("2026-03-27T16:50:00Z")));
}

TEST(BusinessTime, SkipsLunchNightsAndWeekends) {
  auto time = BusinessTime::Create(London());
  ASSERT_TRUE(time.ok()) << time.error().message;
  // Friday 27 March 2026 is GMT: 11:50 + 20 min crosses lunch.
  EXPECT_EQ(time->Add(At("2026-03-27T11:50:00Z"), minutes(20)), At("2026-03-27T13:10:00Z"));
  // Friday 16:50 + 30 min: 10 min on Friday, 20 on Monday 30 March, now BST (08:20Z).
  EXPECT_EQ(time->Add(At("2026-03-27T16:50:00Z"), minutes(30)), At("2026-03-30T08:20:00Z"));
  EXPECT_EQ(time->Between(At("2026-03-27T16:50:00Z"), At("2026-03-30T08:20:00Z")), minutes(30));
  EXPECT_TRUE(time->IsOpen(At("2026-03-27T09:30:00Z")));
  EXPECT_FALSE(time->IsOpen(At("2026-03-27T12:30:00Z")));
  EXPECT_FALSE(time->IsOpen(At("2026-03-28T10:00:00Z")));  // Saturday
  // Sunday night: the next change is Monday's opening at 09:00 BST.
  EXPECT_EQ(time->NextChange(At("2026-03-29T22:00:00Z")), At("2026-03-30T08:00:00Z"));
}

TEST(BusinessTime, SkipsHolidays) {
  auto time = BusinessTime::Create(London());
  ASSERT_TRUE(time.ok());
  // Thursday 24 December 16:00 + 2 h: one hour on Thursday; Christmas Friday and the weekend
  // are closed; Monday 28 December 10:00.
  EXPECT_EQ(time->Add(At("2026-12-24T16:00:00Z"), hours(2)), At("2026-12-28T10:00:00Z"));
}

TEST(BusinessTime, DaylightSavingDaysAreShorterAndLonger) {
  domain::BusinessCalendar daily;
  daily.name = "daily";
  daily.time_zone = "Europe/London";
  for (auto& day : daily.weekly) day = {{9 * 60, 17 * 60}};
  auto time = BusinessTime::Create(daily);
  ASSERT_TRUE(time.ok());
  // Saturday 28 March 16:00 GMT + 2 h: one hour on Saturday; Sunday opens at 09:00 BST (08:00Z).
  EXPECT_EQ(time->Add(At("2026-03-28T16:00:00Z"), hours(2)), At("2026-03-29T09:00:00Z"));
  // Saturday 24 October 16:00 BST (15:00Z) + 2 h: Sunday opens at 09:00 GMT (09:00Z).
  EXPECT_EQ(time->Add(At("2026-10-24T15:00:00Z"), hours(2)), At("2026-10-25T10:00:00Z"));

  // A night period 00:30-03:00 local loses the skipped hour in spring and gains one in autumn.
  domain::BusinessCalendar night;
  night.name = "night";
  night.time_zone = "Europe/London";
  night.weekly[6] = {{30, 180}};  // Sundays
  auto nights = BusinessTime::Create(night);
  ASSERT_TRUE(nights.ok());
  EXPECT_EQ(nights->Between(At("2026-03-29T00:00:00Z"), At("2026-03-29T06:00:00Z")), minutes(90));
  EXPECT_EQ(nights->Between(At("2026-10-24T23:00:00Z"), At("2026-10-25T06:00:00Z")), minutes(210));
  // 100 minutes of business time from the spring opening end on the next Sunday.
  EXPECT_EQ(nights->Add(At("2026-03-29T00:30:00Z"), minutes(100)), At("2026-04-04T23:40:00Z"));
}

TEST(BusinessTime, RefusesWhatCannotWork) {
  auto calendar = London();
  calendar.time_zone = "Mars/Olympus";
  EXPECT_NE(BusinessTime::Create(calendar).error().message.find("unknown time zone"),
            std::string::npos);
  calendar = London();
  calendar.weekly[0] = {{9 * 60, 12 * 60}, {11 * 60, 13 * 60}};
  EXPECT_NE(BusinessTime::Create(calendar).error().message.find("overlap"), std::string::npos);
  calendar = London();
  calendar.holidays = {{"2026-02-30", ""}};
  EXPECT_NE(BusinessTime::Create(calendar).error().message.find("not a date"), std::string::npos);
  domain::BusinessCalendar empty;
  EXPECT_NE(BusinessTime::Create(empty).error().message.find("no opening period"),
            std::string::npos);
  EXPECT_FALSE(ParseTimeRange("17:00-09:00").ok());
  EXPECT_FALSE(ParseTimeRange("9-5").ok());
  EXPECT_EQ(ParseTimeRange("09:00-24:00")->end_minute, 24 * 60);
}

}  // namespace
}  // namespace parley::routing
