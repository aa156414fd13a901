#include "parley/routing/setup.h"

#include <gtest/gtest.h>

namespace parley::routing {
namespace {

using nlohmann::json;

// Numbers names in order of first request, per kind, the way the simulator does.
IdSource Numbering() {
  auto next = std::make_shared<std::map<std::string, std::int64_t>>();
  return [next](std::string_view kind, const std::string& name) {
    const std::string key = std::string(kind) + "/" + name;
    auto [it, added] = next->emplace(key, static_cast<std::int64_t>(next->size() + 1));
    return it->second;
  };
}

TEST(RoutingSetup, WritesWhatItReadsBack) {
  const json spec = json::parse(R"({
    "calendars": {"london": {"time_zone": "Europe/London", "weekdays": ["08:00-12:00", "13:00-20:00"],
                             "weekly": {"sat": ["10:00-14:00"]}, "holidays": ["2026-12-25"]}},
    "sla_policies": {"gold": {"business_hours": false, "targets": [
      {"metric": "first_response", "channel": "x", "tier": 1, "target": "15m", "warn_before": "5m"},
      {"metric": "resolution", "target": "1d2h"}]}},
    "teams": {
      "care": {"members": ["Ann", "Bob"], "leader": "Bob", "overflow": "tier2", "max_wait": "10m",
               "queue_cap": 40, "reassign_after": "20m", "calendar": "london", "sla_policy": "gold",
               "distribution": "round_robin", "sticky_window": "3d", "sticky_wait": "2m"},
      "tier2": {"members": ["Sue"], "sticky_window": "0"}
    },
    "default_team": "care",
    "agents": {
      "Ann": {"email": "ann@example.com", "cap": 3, "skills": ["language:en:5", "topic:refunds"],
              "weights": {"whatsapp": 2}, "schedule": "london"},
      "Bob": {"status": "away"},
      "Sue": {}
    }
  })");
  auto first = ReadRoutingSetup(spec, Numbering());
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  const json written = WriteRoutingSetup(first->config, first->default_team);
  auto second = ReadRoutingSetup(written, Numbering());
  ASSERT_TRUE(second.ok()) << second.error().ToString() << "\n" << written.dump(2);
  EXPECT_EQ(second->config.agents, first->config.agents);
  EXPECT_EQ(second->config.teams, first->config.teams);
  EXPECT_EQ(second->config.calendars, first->config.calendars);
  EXPECT_EQ(second->config.sla_policies, first->config.sla_policies);
  EXPECT_EQ(second->default_team, first->default_team);
  EXPECT_EQ(written["teams"]["care"]["sticky_wait"], "2m");
  EXPECT_EQ(written["sla_policies"]["gold"]["targets"][1]["target"], "1d2h");
  EXPECT_EQ(written["calendars"]["london"]["weekly"]["mon"][1], "13:00-20:00");
}

TEST(RoutingSetup, SpansAreWrittenAsShortAsTheyRead) {
  EXPECT_EQ(FormatSpan(std::chrono::seconds(0)), "0");
  EXPECT_EQ(FormatSpan(std::chrono::seconds(90)), "1m30s");
  EXPECT_EQ(FormatSpan(std::chrono::hours(26)), "1d2h");
  EXPECT_EQ(*ParseSpan(FormatSpan(std::chrono::minutes(125))), std::chrono::minutes(125));
}

}  // namespace
}  // namespace parley::routing
