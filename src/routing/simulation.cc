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
#include "parley/routing/setup.h"

namespace parley::routing {
namespace {

using nlohmann::json;

using namespace fields;

// "2026-03-27T08:00:00Z", without milliseconds when there are none.
std::string Format(Timestamp t) {
  std::string text = core::FormatIso8601(t);
  if (text.size() > 5 && text.compare(text.size() - 5, 5, ".000Z") == 0) {
    text.erase(text.size() - 5, 4);
  }
  return text;
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
  std::int64_t other_ids = 0;  // calendars and policies: named only here
  auto read = ReadRoutingSetup(scenario,
                               [&](std::string_view kind, const std::string& name) -> std::int64_t {
                                 if (kind == "agent") return agents_.Add(name).value();
                                 if (kind == "team") return teams_.Add(name).value();
                                 return ++other_ids;
                               },
                               {"answer_after", "resolve_after"});
  if (!read.ok()) return read.error();
  RouterConfig config = std::move(read->config);
  default_team_ = read->default_team;
  const json agents = scenario.value("agents", json::object());
  for (const auto& [name, spec] : agents.items()) {
    const std::string where = "agents." + name;
    Behaviour behaviour;
    PARLEY_ASSIGN_OR_RETURN(behaviour.answer_after, Span(spec, "answer_after", where));
    PARLEY_ASSIGN_OR_RETURN(behaviour.resolve_after, Span(spec, "resolve_after", where));
    behaviour_[read->agents.at(name)] = behaviour;
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

core::Result<json> Simulate(const json& scenario, const SimulationOptions& options) {
  Simulation simulation;
  return simulation.Run(scenario, options);
}

}  // namespace parley::routing
