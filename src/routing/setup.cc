#include "parley/routing/setup.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>

#include "parley/domain/enum_names.h"
#include "parley/domain/json_codec.h"

namespace parley::routing {

using nlohmann::json;

namespace fields {

core::Error Bad(const std::string& where, const std::string& what) {
  return core::MakeError(core::ErrorCode::kInvalidArgument, where + ": " + what);
}

core::Result<std::string> Text(const json& object, const char* key, const std::string& where,
                               std::string fallback) {
  if (!object.contains(key)) return fallback;
  if (!object[key].is_string()) return Bad(where + "." + key, "expected a string");
  return object[key].get<std::string>();
}

core::Result<int> Int(const json& object, const char* key, const std::string& where, int fallback) {
  if (!object.contains(key)) return fallback;
  if (!object[key].is_number_integer()) return Bad(where + "." + key, "expected an integer");
  return object[key].get<int>();
}

core::Result<bool> Bool(const json& object, const char* key, const std::string& where,
                        bool fallback) {
  if (!object.contains(key)) return fallback;
  if (!object[key].is_boolean()) return Bad(where + "." + key, "expected true or false");
  return object[key].get<bool>();
}

core::Result<std::optional<Duration>> Span(const json& object, const char* key,
                                           const std::string& where) {
  if (!object.contains(key)) return std::optional<Duration>();
  if (!object[key].is_string()) return Bad(where + "." + key, "expected a span like \"15m\"");
  auto span = ParseSpan(object[key].get<std::string>());
  if (!span.ok()) return Bad(where + "." + key, span.error().message);
  return std::optional<Duration>(*span);
}

core::Result<domain::Tier> TierOf(const json& value, const std::string& where) {
  if (value.is_number_integer()) {
    const int tier = value.get<int>();
    if (tier == 0) return domain::Tier::kNoise;
    if (tier == 1) return domain::Tier::kTier1;
    if (tier == 2) return domain::Tier::kTier2;
  } else if (value.is_string()) {
    if (auto tier = domain::ParseEnum<domain::Tier>(value.get<std::string>())) return *tier;
  }
  return Bad(where, "expected a tier: 1, 2 or 0 (noise)");
}

core::Result<domain::ChannelKind> ChannelOf(const std::string& text, const std::string& where) {
  if (auto channel = domain::ParseEnum<domain::ChannelKind>(text)) return *channel;
  return Bad(where, "unknown channel \"" + text + "\"");
}

}  // namespace fields

core::Result<Duration> ParseSpan(std::string_view text) {
  if (text == "0") return Duration::zero();
  Duration total{0};
  std::size_t i = 0;
  if (text.empty()) return core::MakeError(core::ErrorCode::kInvalidArgument, "an empty span");
  while (i < text.size()) {
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), value);
    const std::size_t used = static_cast<std::size_t>(end - (text.data() + i));
    if (ec != std::errc() || used == 0 || end == text.data() + text.size() || value < 0) {
      return core::MakeError(
          core::ErrorCode::kInvalidArgument,
          "\"" + std::string(text) + "\" is not a span: use s, m, h, d as in \"90s\", \"1h30m\"");
    }
    i += used;
    switch (text[i++]) {
      case 's':
        total += std::chrono::seconds(value);
        break;
      case 'm':
        total += std::chrono::minutes(value);
        break;
      case 'h':
        total += std::chrono::hours(value);
        break;
      case 'd':
        total += std::chrono::hours(24 * value);
        break;
      default:
        return core::MakeError(
            core::ErrorCode::kInvalidArgument,
            "\"" + std::string(text) + "\" is not a span: use s, m, h, d as in \"90s\", \"1h30m\"");
    }
  }
  return total;
}

core::Result<RoutingSetup> ReadRoutingSetup(const json& scenario, const IdSource& ids,
                                            const std::vector<std::string>& extra_agent_fields) {
  using namespace fields;
  RoutingSetup setup;
  RouterConfig& config = setup.config;
  // The named thing of a kind: its id, or nullopt when the set-up names none such.
  auto find = [](const auto& names, const std::string& name) {
    const auto found = names.find(name);
    return found == names.end() ? std::nullopt : std::optional(found->second);
  };
  if (auto grace = Span(scenario, "presence_grace", "scenario"); !grace.ok()) {
    return grace.error();
  } else if (*grace) {
    config.presence_grace = **grace;
  }

  static constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu",
                                                            "fri", "sat", "sun"};
  const json calendars = scenario.value("calendars", json::object());
  if (!calendars.is_object()) return Bad("calendars", "expected an object of calendars by name");
  for (const auto& [name, spec] : calendars.items()) {
    const std::string where = "calendars." + name;
    PARLEY_TRY(
        domain::CheckKnownFields(spec, where, {"time_zone", "weekly", "weekdays", "holidays"}));
    domain::BusinessCalendar calendar;
    calendar.id = domain::CalendarId(ids("calendar", name));
    setup.calendars[name] = calendar.id;
    calendar.name = name;
    PARLEY_ASSIGN_OR_RETURN(calendar.time_zone, Text(spec, "time_zone", where, "UTC"));
    auto periods = [&](const json& list, const std::string& at,
                       std::vector<domain::TimeRange>& out) -> core::Status {
      if (!list.is_array()) return Bad(at, "expected a list of periods like \"09:00-17:00\"");
      for (const auto& item : list) {
        if (!item.is_string()) return Bad(at, "expected a list of periods like \"09:00-17:00\"");
        auto range = ParseTimeRange(item.get<std::string>());
        if (!range.ok()) return Bad(at, range.error().message);
        out.push_back(*range);
      }
      return core::Ok();
    };
    if (spec.contains("weekdays")) {
      for (std::size_t d = 0; d < 5; ++d) {
        PARLEY_TRY(periods(spec["weekdays"], where + ".weekdays", calendar.weekly[d]));
      }
    }
    if (spec.contains("weekly")) {
      if (!spec["weekly"].is_object()) return Bad(where + ".weekly", "expected mon..sun");
      for (const auto& [day, list] : spec["weekly"].items()) {
        const auto found = std::find(kDays.begin(), kDays.end(), day);
        if (found == kDays.end()) {
          return Bad(where + ".weekly", "unknown day \"" + day + "\" (mon, tue, ... sun)");
        }
        auto& out = calendar.weekly[static_cast<std::size_t>(found - kDays.begin())];
        out.clear();
        PARLEY_TRY(periods(list, where + ".weekly." + day, out));
      }
    }
    for (const auto& holiday : spec.value("holidays", json::array())) {
      if (!holiday.is_string()) return Bad(where + ".holidays", "expected dates YYYY-MM-DD");
      calendar.holidays.push_back({holiday.get<std::string>(), {}});
    }
    config.calendars.push_back(std::move(calendar));
  }

  auto policy_of = [&](const json& spec, const std::string& where,
                       domain::SlaPolicy& policy) -> core::Status {
    PARLEY_TRY(domain::CheckKnownFields(spec, where, {"business_hours", "targets"}));
    PARLEY_ASSIGN_OR_RETURN(policy.business_hours, Bool(spec, "business_hours", where, true));
    const json targets = spec.value("targets", json::array());
    if (!targets.is_array()) return Bad(where + ".targets", "expected a list");
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const std::string at = where + ".targets[" + std::to_string(i) + "]";
      const json& t = targets[i];
      PARLEY_TRY(
          domain::CheckKnownFields(t, at, {"metric", "channel", "tier", "target", "warn_before"}));
      domain::SlaTarget target;
      PARLEY_ASSIGN_OR_RETURN(const std::string metric, Text(t, "metric", at));
      const auto parsed = domain::ParseEnum<domain::SlaMetric>(metric);
      if (!parsed) {
        return Bad(at + ".metric", "expected first_response, next_response or resolution");
      }
      target.metric = *parsed;
      if (t.contains("channel")) {
        PARLEY_ASSIGN_OR_RETURN(const std::string channel, Text(t, "channel", at));
        PARLEY_ASSIGN_OR_RETURN(target.channel, ChannelOf(channel, at + ".channel"));
      }
      if (t.contains("tier")) {
        PARLEY_ASSIGN_OR_RETURN(target.tier, TierOf(t["tier"], at + ".tier"));
      }
      PARLEY_ASSIGN_OR_RETURN(const auto span, Span(t, "target", at));
      if (!span) return Bad(at, "\"target\" is required");
      target.target = *span;
      PARLEY_ASSIGN_OR_RETURN(const auto warn, Span(t, "warn_before", at));
      target.warn_before = warn.value_or(Duration::zero());
      policy.targets.push_back(target);
    }
    return core::Ok();
  };
  const json policies = scenario.value("sla_policies", json::object());
  if (!policies.is_object()) return Bad("sla_policies", "expected an object of policies by name");
  for (const auto& [name, spec] : policies.items()) {
    domain::SlaPolicy policy;
    policy.id = domain::SlaPolicyId(ids("sla_policy", name));
    setup.policies[name] = policy.id;
    policy.name = name;
    PARLEY_TRY(policy_of(spec, "sla_policies." + name, policy));
    config.sla_policies.push_back(std::move(policy));
  }
  if (scenario.contains("default_sla_policy")) {
    config.default_policy = domain::SlaPolicy{};
    config.default_policy.name = "default";
    PARLEY_TRY(
        policy_of(scenario["default_sla_policy"], "default_sla_policy", config.default_policy));
  }

  const json agents = scenario.value("agents", json::object());
  if (!agents.is_object()) return Bad("agents", "expected an object of agents by name");
  for (const auto& [name, spec] : agents.items()) {
    const std::string where = "agents." + name;
    std::vector<std::string_view> known = {"skills",   "cap",    "weights",
                                           "schedule", "status", "email"};
    known.insert(known.end(), extra_agent_fields.begin(), extra_agent_fields.end());
    PARLEY_TRY(domain::CheckKnownFields(spec, where, known));
    domain::Agent agent;
    agent.id = AgentId(ids("agent", name));
    setup.agents[name] = agent.id;
    agent.display_name = name;
    PARLEY_ASSIGN_OR_RETURN(agent.max_concurrent, Int(spec, "cap", where, 5));
    for (const auto& skill : spec.value("skills", json::array())) {
      if (!skill.is_string()) return Bad(where + ".skills", "expected \"kind:value[:level]\"");
      const std::string text = skill.get<std::string>();
      const auto first = text.find(':');
      const auto second = text.find(':', first == std::string::npos ? first : first + 1);
      const auto kind = first == std::string::npos
                            ? std::nullopt
                            : domain::ParseEnum<domain::SkillKind>(text.substr(0, first));
      if (!kind) {
        return Bad(where + ".skills", "\"" + text +
                                          "\": expected language:es, channel:x or topic:billing, "
                                          "optionally :1..5");
      }
      domain::Skill parsed;
      parsed.kind = *kind;
      parsed.value = text.substr(
          first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
      if (second != std::string::npos) {
        const std::string level = text.substr(second + 1);
        const auto [end, ec] =
            std::from_chars(level.data(), level.data() + level.size(), parsed.proficiency);
        if (ec != std::errc() || end != level.data() + level.size() || parsed.proficiency < 1 ||
            parsed.proficiency > 5) {
          return Bad(where + ".skills", "\"" + text + "\": the level is 1..5");
        }
      }
      agent.skills.push_back(std::move(parsed));
    }
    const json weights = spec.value("weights", json::object());
    if (!weights.is_object()) return Bad(where + ".weights", "expected {\"chat\": 2, ...}");
    for (const auto& [channel, weight] : weights.items()) {
      PARLEY_ASSIGN_OR_RETURN(const auto kind, ChannelOf(channel, where + ".weights"));
      if (!weight.is_number_integer() || weight.get<int>() < 1) {
        return Bad(where + ".weights." + channel, "expected a whole number of at least 1");
      }
      agent.channel_weights[kind] = weight.get<int>();
    }
    PARLEY_ASSIGN_OR_RETURN(const std::string schedule, Text(spec, "schedule", where));
    if (!schedule.empty()) {
      const auto id = find(setup.calendars, schedule);
      if (!id) return Bad(where + ".schedule", "no calendar named \"" + schedule + "\"");
      agent.schedule_id = *id;
    }
    PARLEY_ASSIGN_OR_RETURN(const std::string status, Text(spec, "status", where, "online"));
    const auto presence = domain::ParseEnum<domain::Presence>(status);
    if (!presence) return Bad(where + ".status", "expected online, away or offline");
    agent.presence = *presence;
    PARLEY_ASSIGN_OR_RETURN(agent.email, Text(spec, "email", where));
    config.agents.push_back(std::move(agent));
  }

  const json teams = scenario.value("teams", json::object());
  if (!teams.is_object() || teams.empty()) return Bad("teams", "expected at least one team");
  for (const auto& [name, spec] : teams.items()) setup.teams[name] = TeamId(ids("team", name));
  for (const auto& [name, spec] : teams.items()) {
    const std::string where = "teams." + name;
    PARLEY_TRY(domain::CheckKnownFields(
        spec, where,
        {"leader", "members", "overflow", "max_wait", "queue_cap", "reassign_after", "calendar",
         "sla_policy", "distribution", "sticky_window", "sticky_wait"}));
    domain::Team team;
    team.id = setup.teams.at(name);
    team.name = name;
    auto agent_named = [&](const json& value, const std::string& at) -> core::Result<AgentId> {
      if (!value.is_string()) return Bad(at, "expected an agent's name");
      const auto id = find(setup.agents, value.get<std::string>());
      if (!id) return Bad(at, "no agent named \"" + value.get<std::string>() + "\"");
      return *id;
    };
    if (spec.contains("leader")) {
      PARLEY_ASSIGN_OR_RETURN(team.leader_id, agent_named(spec["leader"], where + ".leader"));
    }
    for (const auto& member : spec.value("members", json::array())) {
      PARLEY_ASSIGN_OR_RETURN(const AgentId id, agent_named(member, where + ".members"));
      team.member_ids.push_back(id);
    }
    PARLEY_ASSIGN_OR_RETURN(const std::string overflow, Text(spec, "overflow", where));
    if (!overflow.empty()) {
      const auto id = find(setup.teams, overflow);
      if (!id) return Bad(where + ".overflow", "no team named \"" + overflow + "\"");
      team.overflow_team_id = *id;
    }
    PARLEY_ASSIGN_OR_RETURN(team.max_wait, Span(spec, "max_wait", where));
    PARLEY_ASSIGN_OR_RETURN(team.reassign_after, Span(spec, "reassign_after", where));
    if (spec.contains("queue_cap")) {
      PARLEY_ASSIGN_OR_RETURN(team.queue_cap, Int(spec, "queue_cap", where, 0));
      if (*team.queue_cap < 0) return Bad(where + ".queue_cap", "cannot be negative");
    }
    PARLEY_ASSIGN_OR_RETURN(const std::string calendar, Text(spec, "calendar", where));
    if (!calendar.empty()) {
      const auto id = find(setup.calendars, calendar);
      if (!id) return Bad(where + ".calendar", "no calendar named \"" + calendar + "\"");
      team.calendar_id = *id;
    }
    PARLEY_ASSIGN_OR_RETURN(const std::string policy, Text(spec, "sla_policy", where));
    if (!policy.empty()) {
      const auto id = find(setup.policies, policy);
      if (!id) return Bad(where + ".sla_policy", "no SLA policy named \"" + policy + "\"");
      team.sla_policy_id = *id;
    }
    PARLEY_ASSIGN_OR_RETURN(const std::string distribution,
                            Text(spec, "distribution", where, "least_load"));
    const auto parsed = domain::ParseEnum<domain::Distribution>(distribution);
    if (!parsed) return Bad(where + ".distribution", "expected least_load or round_robin");
    team.distribution = *parsed;
    if (spec.contains("sticky_window")) {
      PARLEY_ASSIGN_OR_RETURN(team.sticky_window, Span(spec, "sticky_window", where));
    }
    PARLEY_ASSIGN_OR_RETURN(const auto wait, Span(spec, "sticky_wait", where));
    team.sticky_wait = wait.value_or(Duration::zero());
    for (auto& agent : config.agents) {
      if (std::find(team.member_ids.begin(), team.member_ids.end(), agent.id) !=
          team.member_ids.end()) {
        agent.team_ids.push_back(team.id);
      }
    }
    config.teams.push_back(std::move(team));
  }
  PARLEY_ASSIGN_OR_RETURN(const std::string default_team,
                          Text(scenario, "default_team", "scenario"));
  if (!default_team.empty()) {
    const auto id = find(setup.teams, default_team);
    if (!id) return Bad("default_team", "no team named \"" + default_team + "\"");
    setup.default_team = *id;
  } else if (config.teams.size() == 1) {
    setup.default_team = config.teams.front().id;
  }
  return setup;
}

std::string FormatSpan(Duration span) {
  using std::chrono::duration_cast;
  auto seconds = duration_cast<std::chrono::seconds>(span).count();
  if (seconds <= 0) return "0";
  std::string out;
  for (const auto& [unit, letter] :
       {std::pair<std::int64_t, char>{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}) {
    if (seconds >= unit) {
      out += std::to_string(seconds / unit);
      out += letter;
      seconds %= unit;
    }
  }
  return out;
}

namespace {

// "09:30" from minutes since midnight (24:00 for the end of the day).
std::string FormatMinute(int minute) {
  const auto two = [](int n) {
    return std::string(1, static_cast<char>('0' + n / 10)) + static_cast<char>('0' + n % 10);
  };
  const int clamped = std::clamp(minute, 0, 24 * 60);
  return two(clamped / 60) + ":" + two(clamped % 60);
}

}  // namespace

json WriteRoutingSetup(const RouterConfig& config, TeamId default_team) {
  static constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu",
                                                            "fri", "sat", "sun"};
  std::map<domain::CalendarId, std::string> calendar_names;
  std::map<domain::SlaPolicyId, std::string> policy_names;
  std::map<AgentId, std::string> agent_names;
  std::map<TeamId, std::string> team_names;
  for (const auto& c : config.calendars) calendar_names[c.id] = c.name;
  for (const auto& p : config.sla_policies) policy_names[p.id] = p.name;
  for (const auto& a : config.agents) agent_names[a.id] = a.display_name;
  for (const auto& t : config.teams) team_names[t.id] = t.name;

  json calendars = json::object();
  for (const auto& c : config.calendars) {
    json weekly = json::object();
    for (std::size_t d = 0; d < 7; ++d) {
      json periods = json::array();
      for (const auto& range : c.weekly[d]) {
        periods.push_back(FormatMinute(range.start_minute) + "-" + FormatMinute(range.end_minute));
      }
      weekly[std::string(kDays[d])] = std::move(periods);
    }
    json holidays = json::array();
    for (const auto& holiday : c.holidays) holidays.push_back(holiday.date);
    calendars[c.name] = {{"time_zone", c.time_zone}, {"weekly", weekly}, {"holidays", holidays}};
  }
  json policies = json::object();
  for (const auto& p : config.sla_policies) {
    json targets = json::array();
    for (const auto& t : p.targets) {
      json target = {{"metric", domain::ToString(t.metric)}, {"target", FormatSpan(t.target)}};
      if (t.channel) target["channel"] = domain::ToString(*t.channel);
      if (t.tier) target["tier"] = static_cast<int>(*t.tier);
      if (t.warn_before > Duration::zero()) target["warn_before"] = FormatSpan(t.warn_before);
      targets.push_back(std::move(target));
    }
    policies[p.name] = {{"business_hours", p.business_hours}, {"targets", targets}};
  }
  json agents = json::object();
  for (const auto& a : config.agents) {
    json skills = json::array();
    for (const auto& skill : a.skills) {
      skills.push_back(std::string(domain::ToString(skill.kind)) + ":" + skill.value + ":" +
                       std::to_string(skill.proficiency));
    }
    json weights = json::object();
    for (const auto& [channel, weight] : a.channel_weights) {
      weights[std::string(domain::ToString(channel))] = weight;
    }
    json agent = {{"cap", a.max_concurrent},
                  {"skills", skills},
                  {"weights", weights},
                  {"status", domain::ToString(a.presence)}};
    if (!a.email.empty()) agent["email"] = a.email;
    if (a.schedule_id) agent["schedule"] = calendar_names[a.schedule_id];
    agents[a.display_name] = std::move(agent);
  }
  json teams = json::object();
  for (const auto& t : config.teams) {
    json members = json::array();
    for (const auto id : t.member_ids) members.push_back(agent_names[id]);
    json team = {{"members", members}, {"distribution", domain::ToString(t.distribution)}};
    if (t.leader_id) team["leader"] = agent_names[t.leader_id];
    if (t.overflow_team_id) team["overflow"] = team_names[t.overflow_team_id];
    if (t.max_wait) team["max_wait"] = FormatSpan(*t.max_wait);
    if (t.queue_cap) team["queue_cap"] = *t.queue_cap;
    if (t.reassign_after) team["reassign_after"] = FormatSpan(*t.reassign_after);
    if (t.calendar_id) team["calendar"] = calendar_names[t.calendar_id];
    if (t.sla_policy_id) team["sla_policy"] = policy_names[t.sla_policy_id];
    team["sticky_window"] = t.sticky_window ? FormatSpan(*t.sticky_window) : "0";
    if (t.sticky_wait > Duration::zero()) team["sticky_wait"] = FormatSpan(t.sticky_wait);
    teams[t.name] = std::move(team);
  }
  json out = {
      {"calendars", calendars}, {"sla_policies", policies}, {"teams", teams}, {"agents", agents}};
  if (default_team && team_names.contains(default_team)) {
    out["default_team"] = team_names[default_team];
  }
  return out;
}

}  // namespace parley::routing
