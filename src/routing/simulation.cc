#include "parley/routing/simulation.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <queue>
#include <set>

#include "parley/core/time.h"
#include "parley/domain/enum_names.h"
#include "parley/domain/json_codec.h"
#include "parley/routing/router.h"

namespace parley::routing {
namespace {

using nlohmann::json;

core::Error Bad(const std::string& where, const std::string& what) {
  return core::MakeError(core::ErrorCode::kInvalidArgument, where + ": " + what);
}

// "2026-03-27T08:00:00Z", without milliseconds when there are none.
std::string Format(Timestamp t) {
  std::string text = core::FormatIso8601(t);
  if (text.size() > 5 && text.compare(text.size() - 5, 5, ".000Z") == 0) {
    text.erase(text.size() - 5, 4);
  }
  return text;
}

core::Result<std::string> Text(const json& object, const char* key, const std::string& where,
                               std::string fallback = {}) {
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

// Names in the scenario, typed ids in the router.
template <typename IdType>
class Names {
 public:
  IdType Add(const std::string& name) {
    auto [it, added] = ids_.emplace(name, IdType(static_cast<std::int64_t>(ids_.size() + 1)));
    if (added) names_[it->second] = name;
    return it->second;
  }
  std::optional<IdType> Find(const std::string& name) const {
    const auto found = ids_.find(name);
    if (found == ids_.end()) return std::nullopt;
    return found->second;
  }
  std::string Name(IdType id) const {
    const auto found = names_.find(id);
    return found == names_.end() ? std::string() : found->second;
  }

 private:
  std::map<std::string, IdType> ids_;
  std::map<IdType, std::string> names_;
};

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

struct Behaviour {
  std::optional<Duration> answer_after;
  std::optional<Duration> resolve_after;
};

// A scheduled action of a simulated agent.
struct Act {
  Timestamp at;
  std::uint64_t seq;
  bool resolve;  // else reply
  ConversationId conversation;
  AgentId agent;
  Timestamp since;  // the reply a resolve follows
  bool operator>(const Act& other) const {
    return at != other.at ? at > other.at : seq > other.seq;
  }
};

struct ConversationReport {
  Timestamp first_arrival;
  std::optional<Timestamp> first_assigned;
  json assignments = json::array();
  json overflows = json::array();
  json warnings = json::array();
  json breaches = json::array();
  json clocks = json::object();
  std::string reason;
  json considered = json::object();
  std::string team;
  int reassignments = 0;
  int reopened = 0;
  int responses_met = 0;  // every first and next response that stopped, in time or not
  int responses_missed = 0;
  std::string status = "queued";
  std::string assignee;
  json refusals = json::array();
};

class Simulation {
 public:
  core::Result<json> Run(const json& scenario, const SimulationOptions& options);

 private:
  core::Status Configure(const json& scenario);
  core::Result<Timestamp> TimeOf(const json& value, const std::string& where) const;
  core::Status Apply(const json& event, const std::string& where, Timestamp at);
  void Collect();
  json Report(const SimulationOptions& options);

  Timestamp start_;
  std::unique_ptr<Router> router_;
  TeamId default_team_;
  Names<AgentId> agents_;
  Names<TeamId> teams_;
  Names<domain::CalendarId> calendars_;
  Names<domain::SlaPolicyId> policies_;
  Names<ConversationId> conversations_;
  Names<CustomerId> customers_;
  std::map<AgentId, Behaviour> behaviour_;
  std::map<ConversationId, Arrival> arrivals_;
  std::map<ConversationId, ConversationReport> reports_;
  std::priority_queue<Act, std::vector<Act>, std::greater<>> acts_;
  std::uint64_t act_seq_ = 0;
  json events_ = json::array();
  json leader_alerts_ = json::array();
  json refusals_ = json::array();
  std::map<std::string, int> event_counts_;
};

core::Result<Timestamp> Simulation::TimeOf(const json& value, const std::string& where) const {
  if (!value.is_string()) return Bad(where, "expected a time: ISO 8601 or \"+15m\" from start");
  const std::string text = value.get<std::string>();
  if (!text.empty() && text[0] == '+') {
    auto span = ParseSpan(std::string_view(text).substr(1));
    if (!span.ok()) return Bad(where, span.error().message);
    return start_ + *span;
  }
  if (auto t = core::ParseTimestamp(text)) return *t;
  return Bad(where, "\"" + text + "\" is not a time: ISO 8601 or \"+15m\" from start");
}

core::Status Simulation::Configure(const json& scenario) {
  PARLEY_TRY(domain::CheckKnownFields(
      scenario, "scenario",
      {"description", "start", "until", "presence_grace", "calendars", "sla_policies",
       "default_sla_policy", "default_team", "teams", "agents", "events"}));
  if (!scenario.contains("start")) return Bad("scenario", "\"start\" is required");
  start_ = Timestamp{};
  {
    auto start = TimeOf(scenario["start"], "start");
    if (!start.ok()) return start.error();
    start_ = *start;
  }
  RouterConfig config;
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
    calendar.id = calendars_.Add(name);
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
    policy.id = policies_.Add(name);
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
    PARLEY_TRY(domain::CheckKnownFields(spec, where,
                                        {"skills", "cap", "weights", "schedule", "online", "status",
                                         "answer_after", "resolve_after"}));
    domain::Agent agent;
    agent.id = agents_.Add(name);
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
      const auto id = calendars_.Find(schedule);
      if (!id) return Bad(where + ".schedule", "no calendar named \"" + schedule + "\"");
      agent.schedule_id = *id;
    }
    PARLEY_ASSIGN_OR_RETURN(const std::string status, Text(spec, "status", where, "online"));
    const auto presence = domain::ParseEnum<domain::Presence>(status);
    if (!presence) return Bad(where + ".status", "expected online, away or offline");
    agent.presence = *presence;
    Behaviour behaviour;
    PARLEY_ASSIGN_OR_RETURN(behaviour.answer_after, Span(spec, "answer_after", where));
    PARLEY_ASSIGN_OR_RETURN(behaviour.resolve_after, Span(spec, "resolve_after", where));
    behaviour_[agent.id] = behaviour;
    config.agents.push_back(std::move(agent));
  }

  const json teams = scenario.value("teams", json::object());
  if (!teams.is_object() || teams.empty()) return Bad("teams", "expected at least one team");
  for (const auto& [name, spec] : teams.items()) teams_.Add(name);
  for (const auto& [name, spec] : teams.items()) {
    const std::string where = "teams." + name;
    PARLEY_TRY(domain::CheckKnownFields(
        spec, where,
        {"leader", "members", "overflow", "max_wait", "queue_cap", "reassign_after", "calendar",
         "sla_policy", "distribution", "sticky_window", "sticky_wait"}));
    domain::Team team;
    team.id = *teams_.Find(name);
    team.name = name;
    auto agent_named = [&](const json& value, const std::string& at) -> core::Result<AgentId> {
      if (!value.is_string()) return Bad(at, "expected an agent's name");
      const auto id = agents_.Find(value.get<std::string>());
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
      const auto id = teams_.Find(overflow);
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
      const auto id = calendars_.Find(calendar);
      if (!id) return Bad(where + ".calendar", "no calendar named \"" + calendar + "\"");
      team.calendar_id = *id;
    }
    PARLEY_ASSIGN_OR_RETURN(const std::string policy, Text(spec, "sla_policy", where));
    if (!policy.empty()) {
      const auto id = policies_.Find(policy);
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
    config.teams.push_back(std::move(team));
  }
  PARLEY_ASSIGN_OR_RETURN(const std::string default_team,
                          Text(scenario, "default_team", "scenario"));
  if (!default_team.empty()) {
    const auto id = teams_.Find(default_team);
    if (!id) return Bad("default_team", "no team named \"" + default_team + "\"");
    default_team_ = *id;
  } else if (config.teams.size() == 1) {
    default_team_ = config.teams.front().id;
  }

  auto router = Router::Create(std::move(config), start_);
  if (!router.ok()) return router.error();
  router_ = std::move(*router);
  for (const auto& [id, agent] : router_->agents()) {
    if (agent.agent.presence != domain::Presence::kOffline) {
      PARLEY_TRY(router_->Connected(id, start_));
    }
  }
  Collect();
  return core::Ok();
}

core::Status Simulation::Apply(const json& event, const std::string& where, Timestamp at) {
  PARLEY_ASSIGN_OR_RETURN(const std::string type, Text(event, "type", where));
  auto conversation = [&]() -> core::Result<ConversationId> {
    PARLEY_ASSIGN_OR_RETURN(const std::string name, Text(event, "conversation", where));
    const auto id = conversations_.Find(name);
    if (!id) return Bad(where + ".conversation", "no conversation \"" + name + "\" has arrived");
    return *id;
  };
  auto agent = [&]() -> core::Result<AgentId> {
    PARLEY_ASSIGN_OR_RETURN(const std::string name, Text(event, "agent", where));
    const auto id = agents_.Find(name);
    if (!id) return Bad(where + ".agent", "no agent named \"" + name + "\"");
    return *id;
  };
  // What the router refuses is part of the outcome (a stale reply, a pull with nothing to take).
  auto outcome = [&](core::Status status, ConversationId id) {
    if (status.ok()) return;
    json refusal = {{"at", Format(at)},
                    {"type", type},
                    {"code", core::ToString(status.error().code)},
                    {"reason", status.error().message}};
    if (id) {
      refusal["conversation"] = conversations_.Name(id);
      reports_[id].refusals.push_back(refusal);
    }
    refusals_.push_back(std::move(refusal));
  };

  if (type == "arrive") {
    PARLEY_TRY(
        domain::CheckKnownFields(event, where,
                                 {"at", "type", "conversation", "customer", "channel", "private",
                                  "team", "language", "topic", "priority", "tier"}));
    PARLEY_ASSIGN_OR_RETURN(const std::string name, Text(event, "conversation", where));
    if (name.empty()) return Bad(where, "\"conversation\" names the new conversation");
    if (conversations_.Find(name)) {
      return Bad(where + ".conversation", "\"" + name + "\" has already arrived");
    }
    Arrival arrival;
    arrival.conversation = conversations_.Add(name);
    PARLEY_ASSIGN_OR_RETURN(const std::string customer, Text(event, "customer", where, name));
    arrival.customer = customers_.Add(customer);
    PARLEY_ASSIGN_OR_RETURN(const std::string channel, Text(event, "channel", where, "x"));
    PARLEY_ASSIGN_OR_RETURN(arrival.channel, ChannelOf(channel, where + ".channel"));
    PARLEY_ASSIGN_OR_RETURN(arrival.private_channel, Bool(event, "private", where, false));
    PARLEY_ASSIGN_OR_RETURN(const std::string team, Text(event, "team", where));
    if (!team.empty()) {
      const auto id = teams_.Find(team);
      if (!id) return Bad(where + ".team", "no team named \"" + team + "\"");
      arrival.team = *id;
    } else if (default_team_) {
      arrival.team = default_team_;
    } else {
      return Bad(where + ".team", "name a team (or set the scenario's default_team)");
    }
    PARLEY_ASSIGN_OR_RETURN(arrival.language, Text(event, "language", where));
    PARLEY_ASSIGN_OR_RETURN(arrival.topic, Text(event, "topic", where));
    PARLEY_ASSIGN_OR_RETURN(arrival.priority, Int(event, "priority", where, 50));
    if (arrival.priority < 0 || arrival.priority > 100) {
      return Bad(where + ".priority", "expected a priority 0..100");
    }
    if (event.contains("tier")) {
      PARLEY_ASSIGN_OR_RETURN(arrival.tier, TierOf(event["tier"], where + ".tier"));
    }
    arrival.opened_at = at;
    arrivals_[arrival.conversation] = arrival;
    reports_[arrival.conversation].first_arrival = at;
    return router_->Open(arrival, at);
  }
  if (type == "customer_writes") {
    PARLEY_TRY(domain::CheckKnownFields(event, where, {"at", "type", "conversation"}));
    PARLEY_ASSIGN_OR_RETURN(const ConversationId id, conversation());
    if (router_->Find(id) == nullptr) {  // resolved: the customer reopens it
      Arrival arrival = arrivals_[id];
      arrival.opened_at = at;
      ++reports_[id].reopened;
      return router_->Open(arrival, at);
    }
    PARLEY_TRY(router_->CustomerWrote(id, at));
    // A simulated assignee answers the new message after their usual delay.
    const RoutedConversation* c = router_->Find(id);
    if (c != nullptr && c->phase == Phase::kAssigned && c->assignee) {
      if (const auto& behaviour = behaviour_[c->assignee]; behaviour.answer_after) {
        acts_.push({at + *behaviour.answer_after, ++act_seq_, false, id, c->assignee, {}});
      }
    }
    return core::Ok();
  }
  if (type == "reply") {
    PARLEY_TRY(domain::CheckKnownFields(event, where,
                                        {"at", "type", "conversation", "agent", "seen_version"}));
    PARLEY_ASSIGN_OR_RETURN(const ConversationId id, conversation());
    PARLEY_ASSIGN_OR_RETURN(const AgentId who, agent());
    std::optional<std::int64_t> seen;
    if (event.contains("seen_version")) {
      if (!event["seen_version"].is_number_integer()) {
        return Bad(where + ".seen_version", "expected an integer");
      }
      seen = event["seen_version"].get<std::int64_t>();
    }
    outcome(router_->AgentReplied(id, who, at, seen), id);
    return core::Ok();
  }
  if (type == "resolve") {
    PARLEY_TRY(domain::CheckKnownFields(event, where, {"at", "type", "conversation"}));
    PARLEY_ASSIGN_OR_RETURN(const ConversationId id, conversation());
    outcome(router_->Resolve(id, at), id);
    return core::Ok();
  }
  if (type == "assign") {
    PARLEY_TRY(
        domain::CheckKnownFields(event, where, {"at", "type", "conversation", "agent", "reason"}));
    PARLEY_ASSIGN_OR_RETURN(const ConversationId id, conversation());
    PARLEY_ASSIGN_OR_RETURN(const AgentId who, agent());
    PARLEY_ASSIGN_OR_RETURN(const std::string reason, Text(event, "reason", where));
    outcome(router_->Assign(id, who, at, reason), id);
    return core::Ok();
  }
  if (type == "priority") {
    PARLEY_TRY(domain::CheckKnownFields(event, where, {"at", "type", "conversation", "value"}));
    PARLEY_ASSIGN_OR_RETURN(const ConversationId id, conversation());
    PARLEY_ASSIGN_OR_RETURN(const int value, Int(event, "value", where, -1));
    if (value < 0 || value > 100) return Bad(where + ".value", "expected a priority 0..100");
    outcome(router_->Reprioritise(id, value, at), id);
    return core::Ok();
  }
  if (type == "view" || type == "typing") {
    PARLEY_TRY(domain::CheckKnownFields(event, where, {"at", "type", "conversation", "agent"}));
    PARLEY_ASSIGN_OR_RETURN(const ConversationId id, conversation());
    PARLEY_ASSIGN_OR_RETURN(const AgentId who, agent());
    outcome(type == "view" ? router_->Viewing(id, who, at) : router_->Typing(id, who, at), id);
    return core::Ok();
  }
  PARLEY_TRY(domain::CheckKnownFields(event, where, {"at", "type", "agent", "status"}));
  PARLEY_ASSIGN_OR_RETURN(const AgentId who, agent());
  if (type == "pull") {
    auto pulled = router_->Pull(who, at);
    outcome(pulled.ok() ? core::Ok() : core::Status(pulled.error()), ConversationId());
    return core::Ok();
  }
  if (type == "connect") return router_->Connected(who, at);
  if (type == "disconnect") {
    outcome(router_->Disconnected(who, at), ConversationId());
    return core::Ok();
  }
  if (type == "status") {
    PARLEY_ASSIGN_OR_RETURN(const std::string status, Text(event, "status", where));
    const auto presence = domain::ParseEnum<domain::Presence>(status);
    if (!presence) return Bad(where + ".status", "expected online, away or offline");
    return router_->SetStatus(who, *presence, at);
  }
  return Bad(where + ".type",
             "unknown event \"" + type +
                 "\" (arrive, customer_writes, reply, resolve, assign, priority, view, typing, "
                 "pull, connect, disconnect, status)");
}

// Takes the router's events into the report and schedules what simulated agents do next.
void Simulation::Collect() {
  for (Event& event : router_->TakeEvents()) {
    ++event_counts_[std::string(ToString(event.kind))];
    ConversationReport* report = event.conversation ? &reports_[event.conversation]
                                                    : static_cast<ConversationReport*>(nullptr);
    const std::string agent = agents_.Name(event.agent);
    switch (event.kind) {
      case EventKind::kAssigned: {
        if (!report->first_assigned) report->first_assigned = event.at;
        report->assignments.push_back(agent);
        report->reason = event.reason;
        report->considered = json::object();
        for (const auto& c : event.considered) {
          report->considered[agents_.Name(c.agent)] = c.why_not;
        }
        const auto& behaviour = behaviour_[event.agent];
        const RoutedConversation* c = router_->Find(event.conversation);
        if (behaviour.answer_after && c != nullptr && c->phase == Phase::kAssigned) {
          acts_.push({event.at + *behaviour.answer_after,
                      ++act_seq_,
                      false,
                      event.conversation,
                      event.agent,
                      {}});
        }
        break;
      }
      case EventKind::kOverflowed:
        report->overflows.push_back(teams_.Name(event.team) + ">" + teams_.Name(event.to_team));
        break;
      case EventKind::kUnassigned:
        if (event.silent) ++report->reassignments;
        break;
      case EventKind::kLeaderAlerted:
        leader_alerts_.push_back({{"at", Format(event.at)},
                                  {"leader", agent},
                                  {"conversation", conversations_.Name(event.conversation)},
                                  {"reason", event.reason}});
        break;
      case EventKind::kSlaWarning:
        report->warnings.push_back(std::string(ToString(event.clock)));
        break;
      case EventKind::kSlaBreached:
        report->breaches.push_back(std::string(ToString(event.clock)));
        break;
      case EventKind::kSlaStopped:
        if (event.clock == Clock::kFirstResponse || event.clock == Clock::kNextResponse) {
          (event.reason == "met" ? report->responses_met : report->responses_missed) += 1;
        }
        report->clocks[std::string(ToString(event.clock))] = {
            {"met", event.reason == "met"},
            {"at", Format(event.at)},
            {"due", event.due ? json(Format(*event.due)) : json()}};
        break;
      default:
        break;
    }
    json line = {{"at", Format(event.at)}, {"event", ToString(event.kind)}};
    if (event.conversation) line["conversation"] = conversations_.Name(event.conversation);
    if (event.agent) line["agent"] = agent;
    if (event.team) line["team"] = teams_.Name(event.team);
    if (event.to_team) line["to_team"] = teams_.Name(event.to_team);
    if (event.kind == EventKind::kSlaWarning || event.kind == EventKind::kSlaBreached ||
        event.kind == EventKind::kSlaStopped) {
      line["clock"] = ToString(event.clock);
    }
    if (event.kind == EventKind::kPresence) line["presence"] = domain::ToString(event.presence);
    if (!event.reason.empty()) line["reason"] = event.reason;
    events_.push_back(std::move(line));
  }
}

core::Result<json> Simulation::Run(const json& scenario, const SimulationOptions& options) {
  PARLEY_TRY(Configure(scenario));
  const json events = scenario.value("events", json::array());
  if (!events.is_array()) return Bad("events", "expected a list");
  std::vector<std::pair<Timestamp, std::size_t>> timeline;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::string where = "events[" + std::to_string(i) + "]";
    if (!events[i].is_object() || !events[i].contains("at")) {
      return Bad(where, "expected an object with \"at\" and \"type\"");
    }
    PARLEY_ASSIGN_OR_RETURN(const Timestamp at, TimeOf(events[i]["at"], where + ".at"));
    if (at < start_) return Bad(where + ".at", "before the scenario's start");
    timeline.emplace_back(at, i);
  }
  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Timestamp until = (timeline.empty() ? start_ : timeline.back().first) + std::chrono::hours(24);
  if (scenario.contains("until")) {
    PARLEY_ASSIGN_OR_RETURN(until, TimeOf(scenario["until"], "until"));
  }

  std::size_t next = 0;
  while (true) {
    const Timestamp scripted = next < timeline.size() ? timeline[next].first : Timestamp::max();
    const Timestamp acted = acts_.empty() ? Timestamp::max() : acts_.top().at;
    const Timestamp timed = router_->NextTimer().value_or(Timestamp::max());
    const Timestamp t = std::min({scripted, acted, timed});
    if (t > until || t == Timestamp::max()) break;
    if (timed == t && timed < scripted && timed <= acted) {  // timers first, as documented
      router_->Advance(t);
    } else if (scripted == t && scripted <= acted) {
      const std::size_t i = timeline[next++].second;
      PARLEY_TRY(Apply(events[i], "events[" + std::to_string(i) + "]", t));
    } else {
      const Act act = acts_.top();
      acts_.pop();
      const RoutedConversation* c = router_->Find(act.conversation);
      if (c != nullptr && c->assignee == act.agent) {
        const auto& behaviour = behaviour_[act.agent];
        if (!act.resolve && c->phase == Phase::kAssigned) {
          const AgentState* agent = router_->FindAgent(act.agent);
          if (agent != nullptr && agent->effective != domain::Presence::kOffline) {
            if (auto replied = router_->AgentReplied(act.conversation, act.agent, t);
                !replied.ok()) {
              refusals_.push_back({{"at", Format(t)},
                                   {"type", "reply"},
                                   {"conversation", conversations_.Name(act.conversation)},
                                   {"code", core::ToString(replied.error().code)},
                                   {"reason", replied.error().message}});
              Collect();
              continue;
            }
            if (behaviour.resolve_after) {
              acts_.push(
                  {t + *behaviour.resolve_after, ++act_seq_, true, act.conversation, act.agent, t});
            }
          }
        } else if (act.resolve && c->phase == Phase::kWaitingOnCustomer &&
                   c->last_agent_reply_at == act.since) {
          (void)router_->Resolve(act.conversation, t);  // checked just above: it is open
        }
      }
    }
    Collect();
    if (options.check_invariants) {
      if (auto held = router_->CheckInvariants(); !held.ok()) {
        return core::MakeError(core::ErrorCode::kInternal,
                               "at " + Format(t) + ": " + held.error().message);
      }
    }
  }
  router_->Advance(until);
  Collect();
  return Report(options);
}

json Simulation::Report(const SimulationOptions& options) {
  json conversations = json::object();
  int assigned = 0;
  int resolved = 0;
  int queued = 0;
  int met = 0;
  int missed = 0;
  int breaches = 0;
  int overflows = 0;
  int reassignments = 0;
  double wait_total = 0;
  double wait_max = 0;
  for (auto& [id, report] : reports_) {
    const RoutedConversation* c = router_->Find(id);
    json item;
    if (c == nullptr) {
      item["status"] = "resolved";
      ++resolved;
    } else {
      item["status"] = c->phase == Phase::kQueued     ? "queued"
                       : c->phase == Phase::kAssigned ? "assigned"
                                                      : "waiting_on_customer";
      if (c->phase == Phase::kQueued) ++queued;
      item["team"] = teams_.Name(c->team);
      if (c->assignee) item["assignee"] = agents_.Name(c->assignee);
      item["version"] = c->version;
      // A clock still running but past its deadline has missed it already.
      const std::pair<const SlaClock*, Clock> running[] = {
          {&c->first_response, Clock::kFirstResponse},
          {&c->next_response, Clock::kNextResponse},
          {&c->resolution, Clock::kResolution},
          {&c->reply_window, Clock::kReplyWindow}};
      for (const auto& [clock, which] : running) {
        if ((clock->running || clock->paused) && clock->due) {
          report.clocks[std::string(ToString(which))] = {{"met", nullptr},
                                                         {"running", clock->running},
                                                         {"paused", clock->paused},
                                                         {"due", Format(*clock->due)}};
          if (clock->breached) report.clocks[std::string(ToString(which))]["met"] = false;
        }
      }
    }
    if (!report.assignments.empty()) ++assigned;
    if (report.first_assigned) {
      const double wait =
          std::chrono::duration<double>(*report.first_assigned - report.first_arrival).count();
      item["wait_seconds"] = wait;
      wait_total += wait;
      wait_max = std::max(wait_max, wait);
    }
    met += report.responses_met;
    missed += report.responses_missed;
    if (c != nullptr) {  // a response still owed past its deadline has missed it already
      for (const SlaClock* clock : {&c->first_response, &c->next_response}) {
        if (clock->running && clock->breached) ++missed;
      }
    }
    breaches += static_cast<int>(report.breaches.size());
    overflows += static_cast<int>(report.overflows.size());
    reassignments += report.reassignments;
    item["assignments"] = report.assignments;
    item["overflows"] = report.overflows;
    item["reassignments"] = report.reassignments;
    item["reopened"] = report.reopened;
    item["sla"] = report.clocks;
    item["warnings"] = report.warnings;
    item["breaches"] = report.breaches;
    item["reason"] = report.reason;
    item["considered"] = report.considered;
    item["refusals"] = report.refusals;
    conversations[conversations_.Name(id)] = std::move(item);
  }
  json agents = json::object();
  for (const auto& [id, agent] : router_->agents()) {
    agents[agents_.Name(id)] = {{"presence", domain::ToString(agent.effective)},
                                {"load", agent.load},
                                {"open", agent.conversations.size()}};
  }
  json summary = {
      {"conversations", reports_.size()},
      {"assigned", assigned},
      {"resolved", resolved},
      {"queued", queued},
      {"responses_met", met},
      {"responses_missed", missed},
      {"sla_attainment",
       met + missed > 0 ? json(static_cast<double>(met) / (met + missed)) : json()},
      {"breaches", breaches},
      {"overflows", overflows},
      {"reassignments", reassignments},
      {"leader_alerts", leader_alerts_.size()},
      {"refusals", refusals_.size()},
      {"decisions", router_->decisions()},
      {"mean_wait_seconds", assigned > 0 ? wait_total / assigned : 0.0},
      {"max_wait_seconds", wait_max},
  };
  json out = {{"conversations", std::move(conversations)},
              {"agents", std::move(agents)},
              {"leader_alerts", leader_alerts_},
              {"refusals", refusals_},
              {"summary", std::move(summary)}};
  if (options.events) out["events"] = events_;
  return out;
}

}  // namespace

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

core::Result<json> Simulate(const json& scenario, const SimulationOptions& options) {
  Simulation simulation;
  return simulation.Run(scenario, options);
}

}  // namespace parley::routing
