#include "parley/telemetry/log.h"

#include <gtest/gtest.h>

namespace parley::telemetry {
namespace {

TEST(Log, JsonLinesEscapeEverything) {
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, LogLevel::kWarn, "webhook.rejected",
                          {{"reason", "bad \"signature\"\n"}, {"status", 401}, {"ok", false}}),
            R"({"level":"warn","event":"webhook.rejected","reason":"bad \"signature\"\n",)"
            R"("status":401,"ok":false})");
}

TEST(Log, TextQuotesOnlyWhenNeeded) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, LogLevel::kInfo, "server.listening",
                          {{"address", "127.0.0.1"}, {"port", 8080}, {"note", "two words"}}),
            R"(info server.listening address=127.0.0.1 port=8080 note="two words")");
}

TEST(Log, ParsesLevelsAndFormats) {
  EXPECT_EQ(ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_FALSE(ParseLogLevel("loud"));
  EXPECT_EQ(ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("xml"));
}

}  // namespace
}  // namespace parley::telemetry
