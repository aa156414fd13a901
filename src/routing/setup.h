// The routing set-up as JSON: calendars, SLA policies, teams and agents, each by name
// (docs/simulation.md, "Teams, agents, calendars and SLA policies"). The simulator reads it from a
// scenario; the server from a workspace's `routing` file, into its stored teams and agents.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "parley/core/result.h"
#include "parley/core/time.h"
#include "parley/routing/router.h"

namespace parley::routing {

// The readers of scenario fields. Errors are kInvalidArgument naming the field ("agents.ann.cap:
// expected an integer").
namespace fields {
core::Error Bad(const std::string& where, const std::string& what);
core::Result<std::string> Text(const nlohmann::json& object, const char* key,
                               const std::string& where, std::string fallback = {});
core::Result<int> Int(const nlohmann::json& object, const char* key, const std::string& where,
                      int fallback);
core::Result<bool> Bool(const nlohmann::json& object, const char* key, const std::string& where,
                        bool fallback);
// A span like "15m" (ParseSpan); nullopt when the key is absent.
core::Result<std::optional<Duration>> Span(const nlohmann::json& object, const char* key,
                                           const std::string& where);
// 1, 2, 0 (noise), or "tier1", "tier2", "noise".
core::Result<domain::Tier> TierOf(const nlohmann::json& value, const std::string& where);
core::Result<domain::ChannelKind> ChannelOf(const std::string& text, const std::string& where);
}  // namespace fields

// "90s", "15m", "2h", "1d", "1h30m", "0".
core::Result<Duration> ParseSpan(std::string_view text);

struct RoutingSetup {
  RouterConfig config;
  TeamId default_team;  // named, or the only team; none otherwise
  // Names as written, and the ids given to them.
  std::map<std::string, AgentId> agents;
  std::map<std::string, TeamId> teams;
  std::map<std::string, domain::CalendarId> calendars;
  std::map<std::string, domain::SlaPolicyId> policies;
};

// The keys of a routing document (a workspace's routing file, the API's routing resource).
inline constexpr std::array<std::string_view, 7> kRoutingDocumentKeys = {
    "description",  "calendars", "sla_policies", "default_sla_policy",
    "default_team", "teams",     "agents"};

// Gives the id of the named thing of a kind ("agent", "team", "calendar", "sla_policy"): numbered
// in order by the simulator; the stored one, or a new one, by the server (so ids stay the same
// from one start to the next).
using IdSource = std::function<std::int64_t(std::string_view kind, const std::string& name)>;

// Reads the keys presence_grace, calendars, sla_policies, default_sla_policy, default_team, teams
// and agents of `spec` (the caller checks which others it allows). Agents may carry the fields
// in `extra_agent_fields` besides their own (skills, cap, weights, schedule, status, email); the
// caller reads them.
core::Result<RoutingSetup> ReadRoutingSetup(
    const nlohmann::json& spec, const IdSource& ids,
    const std::vector<std::string>& extra_agent_fields = {});

// The set-up as the JSON ReadRoutingSetup reads: calendars, SLA policies, teams and agents by
// name, and default_team when given. Reading what this writes gives the same set-up back (with
// the ids the IdSource gives).
nlohmann::json WriteRoutingSetup(const RouterConfig& config, TeamId default_team);

// "1h30m", "15m", "90s", "2d", "0": the shortest span ParseSpan reads back.
std::string FormatSpan(Duration span);

}  // namespace parley::routing
