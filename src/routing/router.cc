#include "parley/routing/router.h"

#include <algorithm>
#include <charconv>
#include <chrono>

namespace parley::routing {
namespace {

using domain::Presence;
using domain::SlaMetric;

constexpr std::size_t kChangesKept = 16;

// "45 s", "12 min", "3 h", "2 d": how long, for people.
std::string Span(Duration d) {
  using namespace std::chrono;
  const auto s = duration_cast<seconds>(d).count();
  if (s < 120) return std::to_string(s) + " s";
  if (s < 2 * 3600) return std::to_string(s / 60) + " min";
  if (s < 2 * 86400) return std::to_string(s / 3600) + " h";
  return std::to_string(s / 86400) + " d";
}

constexpr int kNoSkillGiven = -1;

// The agent's proficiency in the skill `symbol` of `kind`: 0 if they list skills of that kind
// but not this one (they lack it); 1 if they list none of that kind (a generalist covers it).
int Proficiency(const AgentState& agent, domain::SkillKind kind, int symbol) {
  if (symbol == kNoSkillGiven) return 1;
  const auto k = static_cast<std::size_t>(kind);
  for (const auto& [skill, level] : agent.skills[k]) {
    if (skill == symbol) return std::max(1, level);
  }
  return agent.lists_kind[k] ? 0 : 1;
}

int Proficiency(const AgentState& agent, const RoutedConversation& c, domain::SkillKind kind) {
  return Proficiency(agent, kind, c.skill_symbols[static_cast<std::size_t>(kind)]);
}

// `prefix` and the agent's load, "at cap 5/5", built in place: this runs for every member
// considered in every decision.
std::string Load(const AgentState& a, std::string_view prefix = {}) {
  std::string out;
  out.reserve(prefix.size() + 24);
  out.append(prefix);
  char digits[16];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, a.load).ptr);
  out += '/';
  out.append(digits, std::to_chars(digits, digits + sizeof digits, a.agent.max_concurrent).ptr);
  return out;
}

}  // namespace

Router::Router(RouterConfig config, Timestamp now) : config_(std::move(config)), now_(now) {}

core::Result<std::unique_ptr<Router>> Router::Create(RouterConfig config, Timestamp now) {
  auto invalid = [](std::string what) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, std::move(what));
  };
  if (config.teams.empty()) return invalid("routing needs at least one team");
  std::unique_ptr<Router> router(new Router(std::move(config), now));
  RouterConfig& cfg = router->config_;

  std::unordered_map<domain::CalendarId, BusinessTime> calendars;
  for (const auto& calendar : cfg.calendars) {
    PARLEY_ASSIGN_OR_RETURN(auto time, BusinessTime::Create(calendar));
    calendars.emplace(calendar.id, std::move(time));
  }
  for (const auto& agent : cfg.agents) {
    if (!agent.id) return invalid("an agent has no id");
    for (const auto& skill : agent.skills) {
      auto& symbols = router->skill_symbols_[static_cast<std::size_t>(skill.kind)];
      symbols.emplace(skill.value, static_cast<int>(symbols.size()));
    }
    if (agent.max_concurrent < 0) {
      return invalid("agent " + agent.display_name + ": the cap cannot be negative");
    }
    AgentState state;
    state.agent = agent;
    state.status = agent.presence;
    for (const auto& skill : agent.skills) {
      const auto k = static_cast<std::size_t>(skill.kind);
      state.skills[k].emplace_back(router->skill_symbols_[k].at(skill.value), skill.proficiency);
      state.lists_kind[k] = true;
    }
    if (agent.schedule_id) {
      const auto found = calendars.find(agent.schedule_id);
      if (found == calendars.end()) {
        return invalid("agent " + agent.display_name + ": unknown schedule " +
                       agent.schedule_id.ToString());
      }
      state.schedule = found->second;
    }
    if (!router->agents_.emplace(agent.id, std::move(state)).second) {
      return invalid("agent " + agent.id.ToString() + " is listed twice");
    }
  }
  for (const auto& team : cfg.teams) {
    if (!team.id) return invalid("team " + team.name + " has no id");
    TeamState state;
    state.team = team;
    if (team.calendar_id) {
      const auto found = calendars.find(team.calendar_id);
      if (found == calendars.end()) {
        return invalid("team " + team.name + ": unknown calendar " + team.calendar_id.ToString());
      }
      state.calendar = found->second;
    }
    state.policy = &cfg.default_policy;
    if (team.sla_policy_id) {
      const auto found =
          std::find_if(cfg.sla_policies.begin(), cfg.sla_policies.end(),
                       [&](const domain::SlaPolicy& p) { return p.id == team.sla_policy_id; });
      if (found == cfg.sla_policies.end()) {
        return invalid("team " + team.name + ": unknown SLA policy " +
                       team.sla_policy_id.ToString());
      }
      state.policy = &*found;
    }
    if (!router->team_index_.emplace(team.id, router->teams_.size()).second) {
      return invalid("team " + team.id.ToString() + " is listed twice");
    }
    router->teams_.push_back(std::move(state));
  }
  for (std::size_t i = 0; i < router->teams_.size(); ++i) {
    const auto& team = router->teams_[i].team;
    if (team.overflow_team_id && !router->team_index_.contains(team.overflow_team_id)) {
      return invalid("team " + team.name + ": unknown overflow team " +
                     team.overflow_team_id.ToString());
    }
    if (team.leader_id && !router->agents_.contains(team.leader_id)) {
      return invalid("team " + team.name + ": unknown leader " + team.leader_id.ToString());
    }
    for (const auto member : team.member_ids) {
      const auto found = router->agents_.find(member);
      if (found == router->agents_.end()) {
        return invalid("team " + team.name + ": unknown member " + member.ToString());
      }
      found->second.teams.push_back(i);
    }
  }
  for (auto& team : router->teams_) {  // agents_ is complete: its elements stay where they are
    for (const auto member : team.team.member_ids)
      team.members.push_back(&router->agents_.at(member));
  }
  for (auto& [id, agent] : router->agents_) {
    agent.on_shift = agent.schedule.IsOpen(now);
    router->ArmShift(agent);
  }
  return router;
}

TeamState* Router::Team(TeamId id) {
  const auto found = team_index_.find(id);
  return found == team_index_.end() ? nullptr : &teams_[found->second];
}

const TeamState* Router::FindTeam(TeamId id) const {
  const auto found = team_index_.find(id);
  return found == team_index_.end() ? nullptr : &teams_[found->second];
}

RoutedConversation* Router::Conversation(ConversationId id) {
  const auto found = conversations_.find(id);
  return found == conversations_.end() ? nullptr : &found->second;
}

const RoutedConversation* Router::Find(ConversationId id) const {
  const auto found = conversations_.find(id);
  return found == conversations_.end() ? nullptr : &found->second;
}

AgentState* Router::Agent(AgentId id) {
  const auto found = agents_.find(id);
  return found == agents_.end() ? nullptr : &found->second;
}

core::Result<RoutedConversation*> Router::Require(ConversationId id) {
  RoutedConversation* c = Conversation(id);
  if (c == nullptr) {
    return core::MakeError(core::ErrorCode::kNotFound,
                           "conversation " + id.ToString() + " is not open");
  }
  return c;
}

core::Result<AgentState*> Router::Require(AgentId id) {
  AgentState* agent = Agent(id);
  if (agent == nullptr) {
    return core::MakeError(core::ErrorCode::kNotFound, "unknown agent " + id.ToString());
  }
  return agent;
}

const AgentState* Router::FindAgent(AgentId id) const {
  const auto found = agents_.find(id);
  return found == agents_.end() ? nullptr : &found->second;
}

std::string Router::NameOf(AgentId id) const {
  const auto* agent = FindAgent(id);
  if (agent == nullptr || agent->agent.display_name.empty()) return "agent " + id.ToString();
  return agent->agent.display_name;
}

std::string Router::NameOf(TeamId id) const {
  const auto* team = FindTeam(id);
  if (team == nullptr || team->team.name.empty()) return "team " + id.ToString();
  return team->team.name;
}

void Router::Emit(Event event) {
  if (event.at == Timestamp{}) event.at = now_;
  events_.push_back(std::move(event));
}

void Router::Changed(RoutedConversation& c, Change change) {
  change.version = ++c.version;
  if (c.changes.size() == kChangesKept) c.changes.erase(c.changes.begin());
  c.changes.push_back(std::move(change));
}

std::string Router::Render(const Change& change) const {
  using Kind = Change::Kind;
  switch (change.kind) {
    case Kind::kOpened:
      return "opened";
    case Kind::kCustomerWrote:
      return "the customer wrote";
    case Kind::kReplied:
      return (change.agent ? NameOf(change.agent) : std::string("the brand")) + " replied";
    case Kind::kAssigned:
      return "assigned to " + NameOf(change.agent);
    case Kind::kUnassigned:
      return "unassigned from " + NameOf(change.agent) + ": " + change.why;
    case Kind::kMoved:
      return "moved from " + NameOf(change.from) + " to " + NameOf(change.to) + ": " + change.why;
    case Kind::kPriority:
      return "priority " + std::to_string(change.priority);
  }
  return {};
}

int Router::WeightOf(const AgentState& agent, domain::ChannelKind channel) const {
  const auto found = agent.agent.channel_weights.find(channel);
  return found == agent.agent.channel_weights.end() ? 1 : found->second;
}

int Router::SkillScore(const AgentState& agent, const RoutedConversation& c) const {
  return Proficiency(agent, c, domain::SkillKind::kLanguage) +
         Proficiency(agent, c, domain::SkillKind::kChannel) +
         Proficiency(agent, c, domain::SkillKind::kTopic);
}

int Router::SkillSymbol(domain::SkillKind kind, std::string_view value) const {
  if (value.empty()) return kNoSkillGiven;
  const auto& symbols = skill_symbols_[static_cast<std::size_t>(kind)];
  const auto found = symbols.find(value);
  return found == symbols.end() ? -2 : found->second;
}

void Router::SetSkillSymbols(RoutedConversation& c) const {
  const auto& a = c.arrival;
  c.skill_symbols = {SkillSymbol(domain::SkillKind::kLanguage, a.language),
                     SkillSymbol(domain::SkillKind::kChannel, domain::ToString(a.channel)),
                     SkillSymbol(domain::SkillKind::kTopic, a.topic)};
}

Router::Block Router::Check(const AgentState& agent, const RoutedConversation& c,
                            bool for_pull) const {
  if (agent.effective == Presence::kOffline) return Block::kOffline;
  if (agent.effective == Presence::kAway && !for_pull) return Block::kAway;
  if (!agent.on_shift) return Block::kOffShift;
  if (!c.declined.empty() &&
      std::find(c.declined.begin(), c.declined.end(), agent.agent.id) != c.declined.end()) {
    return Block::kDeclined;
  }
  if (c.reserved_for && c.reserved_for != agent.agent.id && now_ < c.reserved_until) {
    return Block::kHeld;
  }
  if (Proficiency(agent, c, domain::SkillKind::kLanguage) == 0) return Block::kLanguage;
  if (Proficiency(agent, c, domain::SkillKind::kChannel) == 0) return Block::kChannel;
  if (Proficiency(agent, c, domain::SkillKind::kTopic) == 0) return Block::kTopic;
  if (agent.load + WeightOf(agent, c.arrival.channel) > agent.agent.max_concurrent) {
    return Block::kCap;
  }
  return Block::kNone;
}

std::string Router::Describe(Block block, const AgentState& agent,
                             const RoutedConversation& c) const {
  switch (block) {
    case Block::kNone:
      return {};
    case Block::kOffline:
      return "offline";
    case Block::kAway:
      return "away";
    case Block::kOffShift:
      return "off shift";
    case Block::kDeclined:
      return "did not reply to it in time";
    case Block::kHeld:
      return "held for " + NameOf(c.reserved_for) + ", who handled this customer";
    case Block::kLanguage:
      return "lacks language " + c.arrival.language;
    case Block::kChannel:
      return "lacks channel " + std::string(domain::ToString(c.arrival.channel));
    case Block::kTopic:
      return "lacks topic " + c.arrival.topic;
    case Block::kCap:
      return Load(agent, "at cap ");
  }
  return {};
}

std::optional<std::pair<AgentId, Timestamp>> Router::LastHandler(CustomerId customer) const {
  const auto found = last_handler_.find(customer);
  if (found == last_handler_.end()) return std::nullopt;
  return found->second;
}

bool Router::TryAssign(RoutedConversation& c, std::string* why_queued) {
  TeamState& team = *Team(c.team);
  const auto& members = team.team.member_ids;
  std::vector<Considered> considered;
  considered.reserve(members.size());
  AgentState* chosen = nullptr;
  std::string reason;

  // Stickiness: the agent who last handled this customer, recently enough, if they can take it.
  const auto last = LastHandler(c.arrival.customer);
  if (last && team.team.sticky_window && now_ - last->second <= *team.team.sticky_window &&
      std::find(members.begin(), members.end(), last->first) != members.end()) {
    AgentState* previous = Agent(last->first);
    if (previous != nullptr && Eligible(*previous, c)) {
      chosen = previous;
      reason = "handled this customer " + Span(now_ - last->second) + " ago";
    }
  }

  // Why each member cannot take it, as found while choosing (the rest are asked below).
  std::vector<std::optional<Block>> blocks(members.size());
  if (chosen == nullptr && !members.empty()) {
    const std::size_t n = members.size();
    const std::size_t start =
        team.team.distribution == domain::Distribution::kRoundRobin ? team.round_robin_next % n : 0;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = (start + k) % n;
      AgentState* candidate = team.members[i];
      blocks[i] = Check(*candidate, c, false);
      if (blocks[i] != Block::kNone) continue;
      if (team.team.distribution == domain::Distribution::kRoundRobin) {
        chosen = candidate;
        team.round_robin_next = i + 1;
        reason = "next in rotation";
        break;
      }
      if (chosen == nullptr) {
        chosen = candidate;
        continue;
      }
      // Least load relative to the cap, then fewer open, then better skills, then longest idle.
      const auto lhs = static_cast<std::int64_t>(candidate->load) * chosen->agent.max_concurrent;
      const auto rhs = static_cast<std::int64_t>(chosen->load) * candidate->agent.max_concurrent;
      bool better = false;
      if (lhs != rhs) {
        better = lhs < rhs;
      } else if (candidate->conversations.size() != chosen->conversations.size()) {
        better = candidate->conversations.size() < chosen->conversations.size();
      } else if (const int skill_c = SkillScore(*candidate, c), skill_b = SkillScore(*chosen, c);
                 skill_c != skill_b) {
        better = skill_c > skill_b;
      } else {
        better = candidate->last_assigned_at < chosen->last_assigned_at;
      }
      if (better) chosen = candidate;
    }
    if (chosen != nullptr && reason.empty()) reason = "least loaded";
  }

  for (std::size_t i = 0; i < members.size(); ++i) {
    const AgentState* candidate = team.members[i];
    if (candidate == chosen) continue;
    const Block block = blocks[i] ? *blocks[i] : Check(*candidate, c, false);
    std::string why = Describe(block, *candidate, c);
    if (why.empty()) {
      why = team.team.distribution == domain::Distribution::kRoundRobin
                ? "not next in rotation"
                : Load(*candidate, "also free, load ");
    }
    considered.push_back({candidate->agent.id, std::move(why)});
  }

  if (chosen == nullptr) {
    if (why_queued != nullptr) {
      std::string text = members.empty() ? "the team has no members" : "nobody can take it: ";
      for (std::size_t i = 0; i < considered.size(); ++i) {
        if (i > 0) text += ", ";
        text += NameOf(considered[i].agent) + " " + considered[i].why_not;
      }
      *why_queued = std::move(text);
    }
    return false;
  }

  // "skills es+billing, load 2/5, least loaded"
  std::string skills;
  for (const auto& skill : chosen->agent.skills) {
    const auto& a = c.arrival;
    const bool used =
        (skill.kind == domain::SkillKind::kLanguage && skill.value == a.language) ||
        (skill.kind == domain::SkillKind::kChannel && skill.value == domain::ToString(a.channel)) ||
        (skill.kind == domain::SkillKind::kTopic && skill.value == a.topic);
    if (used) skills += (skills.empty() ? "" : "+") + skill.value;
  }
  std::string why = (skills.empty() ? std::string() : "skills " + skills + ", ") + "load " +
                    Load(*chosen) + ", " + reason;
  AssignTo(c, *chosen, std::move(why), std::move(considered), true);
  return true;
}

void Router::AssignTo(RoutedConversation& c, AgentState& agent, std::string reason,
                      std::vector<Considered> considered, bool automatic) {
  Dequeue(c);
  c.phase = Phase::kAssigned;
  c.assignee = agent.agent.id;
  c.taken_over = !automatic;
  c.assigned_at = now_;
  c.reserved_for = AgentId();
  c.weight = WeightOf(agent, c.arrival.channel);
  agent.load += c.weight;
  agent.conversations.insert(c.arrival.conversation);
  agent.last_assigned_at = now_;
  if (automatic) ++decisions_;
  Changed(c, Change::Of(Change::Kind::kAssigned, agent.agent.id));
  Event event;
  event.kind = EventKind::kAssigned;
  event.conversation = c.arrival.conversation;
  event.agent = agent.agent.id;
  event.team = c.team;
  event.reason = std::move(reason);
  event.considered = std::move(considered);
  Emit(std::move(event));
  ArmConversationTimers(c);
}

void Router::Unassign(RoutedConversation& c, std::string_view why, bool requeue, bool silent) {
  AgentState* agent = Agent(c.assignee);
  if (agent != nullptr) {
    agent->load -= c.weight;
    agent->conversations.erase(c.arrival.conversation);
  }
  Event event;
  event.kind = EventKind::kUnassigned;
  event.conversation = c.arrival.conversation;
  event.agent = c.assignee;
  event.team = c.team;
  event.reason = std::string(why);
  event.silent = silent;
  Emit(std::move(event));
  Changed(c, Change::Of(Change::Kind::kUnassigned, c.assignee, std::string(why)));
  c.assignee = AgentId();
  c.taken_over = false;
  c.phase = Phase::kQueued;
  if (requeue) Route(c);
  if (agent != nullptr) Offer(*agent);
}

QueueKey Router::KeyOf(const RoutedConversation& c, std::uint64_t seq) const {
  Timestamp deadline = Timestamp::max();
  for (const SlaClock* clock : {&c.first_response, &c.next_response, &c.reply_window}) {
    if (clock->running && clock->due) deadline = std::min(deadline, *clock->due);
  }
  return {-c.arrival.priority, deadline, seq, c.arrival.conversation};
}

void Router::Route(RoutedConversation& c) {
  std::string why;
  if (TryAssign(c, &why)) return;
  Enqueue(c, std::move(why));
}

void Router::Enqueue(RoutedConversation& c, std::string why, bool announce) {
  TeamState& team = *Team(c.team);
  c.phase = Phase::kQueued;
  c.queued_at = now_;
  c.queue_key = KeyOf(c, ++queue_seq_);
  team.queue.insert(c.queue_key);
  if (std::find(c.visited.begin(), c.visited.end(), c.team) == c.visited.end()) {
    c.visited.push_back(c.team);
  }
  if (announce) {
    Event event;
    event.kind = EventKind::kQueued;
    event.conversation = c.arrival.conversation;
    event.team = c.team;
    event.reason = std::move(why);
    Emit(std::move(event));
  }
  ArmConversationTimers(c);
  if (team.team.queue_cap && team.queue.size() > static_cast<std::size_t>(*team.team.queue_cap)) {
    RoutedConversation* last = Conversation(std::prev(team.queue.end())->conversation);
    Overflow(*last, "the queue of " + NameOf(team.team.id) + " is over its cap of " +
                        std::to_string(*team.team.queue_cap));
  }
}

void Router::Rekey(RoutedConversation& c) {
  if (c.phase != Phase::kQueued) return;
  TeamState& team = *Team(c.team);
  team.queue.erase(c.queue_key);
  c.queue_key = KeyOf(c, c.queue_key.seq);  // same arrival order, new priority or deadline
  team.queue.insert(c.queue_key);
}

Event Router::QueueDepth(TeamId team, Timestamp now) const {
  Event event;
  event.kind = EventKind::kQueueDepth;
  event.at = now;
  event.team = team;
  const TeamState* state = FindTeam(team);
  if (state == nullptr) return event;
  event.queued = state->queue.size();
  for (const QueueKey& key : state->queue) {
    const auto found = conversations_.find(key.conversation);
    if (found == conversations_.end()) continue;
    const Timestamp since = found->second.queued_at;
    if (!event.oldest_queued_at || since < *event.oldest_queued_at) event.oldest_queued_at = since;
  }
  return event;
}

void Router::Dequeue(RoutedConversation& c) {
  if (c.phase != Phase::kQueued) return;
  TeamState* team = Team(c.team);
  if (team != nullptr) team->queue.erase(c.queue_key);
}

bool Router::CanOverflow(const RoutedConversation& c) const {
  const TeamId to = FindTeam(c.team)->team.overflow_team_id;
  return to && std::find(c.visited.begin(), c.visited.end(), to) == c.visited.end();
}

void Router::Overflow(RoutedConversation& c, std::string_view why) {
  if (!CanOverflow(c)) return;  // no overflow team, or it came from there: it stays
  const TeamId to = FindTeam(c.team)->team.overflow_team_id;
  Dequeue(c);
  ++c.overflows;
  Event event;
  event.kind = EventKind::kOverflowed;
  event.conversation = c.arrival.conversation;
  event.team = c.team;
  event.to_team = to;
  event.reason = std::string(why);
  Emit(std::move(event));
  Change moved = Change::Of(Change::Kind::kMoved, {}, std::string(why));
  moved.from = c.team;
  moved.to = to;
  Changed(c, std::move(moved));
  c.team = to;
  Route(c);
}

void Router::Offer(AgentState& agent) {
  if (agent.effective != Presence::kOnline || !agent.on_shift) return;
  auto full = [&] { return agent.load >= agent.agent.max_concurrent; };
  if (agent.teams.size() == 1) {  // one queue: walk it in order
    auto& queue = teams_[agent.teams.front()].queue;
    for (auto it = queue.begin(); it != queue.end() && !full();) {
      RoutedConversation* c = Conversation(it->conversation);
      ++it;  // TryAssign removes only c from the queue
      if (c != nullptr && Eligible(agent, *c)) TryAssign(*c);
    }
    return;
  }
  std::vector<QueueKey> offers;
  for (const std::size_t t : agent.teams) {
    for (const auto& key : teams_[t].queue) {
      const RoutedConversation* c = Find(key.conversation);
      if (c != nullptr && Eligible(agent, *c)) offers.push_back(key);
    }
  }
  std::sort(offers.begin(), offers.end());
  for (const auto& key : offers) {
    if (full()) break;
    RoutedConversation* c = Conversation(key.conversation);
    if (c == nullptr || c->phase != Phase::kQueued) continue;
    TryAssign(*c);
  }
}

void Router::UpdatePresence(AgentState& agent) {
  Presence effective = agent.status;
  if (agent.status != Presence::kOffline && agent.connections == 0 &&
      !(agent.disconnected_at && now_ < *agent.disconnected_at + config_.presence_grace)) {
    effective = Presence::kOffline;
  }
  if (effective == agent.effective) return;
  agent.effective = effective;
  Event event;
  event.kind = EventKind::kPresence;
  event.agent = agent.agent.id;
  if (!agent.teams.empty()) event.team = teams_[agent.teams.front()].team.id;
  event.presence = effective;
  Emit(std::move(event));
  if (effective == Presence::kOffline) {
    // What they owe an answer goes back to the queue; what waits on the customer stays theirs.
    std::vector<ConversationId> owed;
    for (const auto id : agent.conversations) {
      if (Find(id)->phase == Phase::kAssigned) owed.push_back(id);
    }
    for (const auto id : owed) Unassign(*Conversation(id), "the agent went offline", true);
  } else if (effective == Presence::kOnline) {
    Offer(agent);
  }
}

void Router::ArmShift(AgentState& agent) {
  if (const auto change = agent.schedule.NextChange(now_)) {
    timers_.push({*change, TimerKind::kShift, agent.agent.id.value(), 0});
  }
}

const BusinessTime& Router::ClockCalendar(const RoutedConversation& c) const {
  static const BusinessTime kWall = BusinessTime::WallClock();
  const TeamState* team = FindTeam(c.team);
  if (team == nullptr || team->policy == nullptr || !team->policy->business_hours) return kWall;
  return team->calendar;
}

const domain::SlaPolicy& Router::PolicyOf(const RoutedConversation& c) const {
  const TeamState* team = FindTeam(c.team);
  return team != nullptr && team->policy != nullptr ? *team->policy : config_.default_policy;
}

void Router::StartClock(RoutedConversation& c, SlaClock& clock, SlaMetric metric, Timestamp from,
                        Duration used) {
  const auto target = domain::FindTarget(PolicyOf(c), metric, c.arrival.channel, c.arrival.tier);
  clock = SlaClock{};
  if (!target) return;
  const BusinessTime& calendar = ClockCalendar(c);
  clock.running = true;
  clock.due = calendar.Add(from, target->target - used);
  if (target->warn_before > Duration::zero() && target->warn_before < target->target) {
    clock.warn_at = calendar.Add(from, target->target - target->warn_before - used);
  }
}

void Router::StopClock(RoutedConversation& c, SlaClock& clock, Clock which) {
  if (!clock.running && !clock.paused) return;
  clock.stopped_at = now_;
  clock.met = !clock.breached && clock.due && (clock.paused || now_ <= *clock.due);
  clock.running = false;
  clock.paused = false;
  Event event;
  event.kind = EventKind::kSlaStopped;
  event.conversation = c.arrival.conversation;
  event.agent = c.assignee;
  event.team = c.team;
  event.clock = which;
  event.due = clock.due;
  event.reason = *clock.met ? "met" : "missed";
  Emit(std::move(event));
}

void Router::CheckClock(RoutedConversation& c, SlaClock& clock, Clock which) {
  if (!clock.running || !clock.due) return;
  // The reply window and the response clocks matter only while a response is owed.
  if (which != Clock::kResolution && c.phase == Phase::kWaitingOnCustomer) return;
  auto emit = [&](EventKind kind) {
    Event event;
    event.kind = kind;
    event.conversation = c.arrival.conversation;
    event.agent = c.assignee;
    event.team = c.team;
    event.clock = which;
    event.due = clock.due;
    Emit(std::move(event));
  };
  if (!clock.warned && clock.warn_at && *clock.warn_at <= now_) {
    clock.warned = true;
    emit(EventKind::kSlaWarning);
  }
  if (!clock.breached && *clock.due <= now_) {
    clock.breached = true;
    emit(EventKind::kSlaBreached);
  }
}

void Router::ArmConversationTimers(RoutedConversation& c) {
  Timestamp next = Timestamp::max();
  auto consider = [&](Timestamp t) {
    if (t < next) next = t;
  };
  const std::pair<const SlaClock*, Clock> clocks[] = {{&c.first_response, Clock::kFirstResponse},
                                                      {&c.next_response, Clock::kNextResponse},
                                                      {&c.resolution, Clock::kResolution},
                                                      {&c.reply_window, Clock::kReplyWindow}};
  for (const auto& [clock, which] : clocks) {
    if (!clock->running || !clock->due) continue;
    if (which != Clock::kResolution && c.phase == Phase::kWaitingOnCustomer) continue;
    if (!clock->warned && clock->warn_at) consider(*clock->warn_at);
    if (!clock->breached) consider(*clock->due);
  }
  const auto& team = Team(c.team)->team;
  if (c.phase == Phase::kQueued && team.max_wait && CanOverflow(c)) {
    consider(c.queued_at + *team.max_wait);
  }
  if (c.phase == Phase::kAssigned && team.reassign_after && c.assigned_at) {
    consider(std::max(*c.assigned_at, c.last_customer_at) + *team.reassign_after);
  }
  if (c.reserved_for && c.reserved_until > now_) consider(c.reserved_until);
  if (next != Timestamp::max()) next = std::max(next, now_);
  if (c.armed_at == next) return;  // the timer in the heap is still the right one
  ++c.timer_generation;            // any other in the heap is now stale
  c.armed_at = next;
  if (next != Timestamp::max()) {
    timers_.push(
        {next, TimerKind::kConversation, c.arrival.conversation.value(), c.timer_generation});
  }
}

void Router::FireConversation(RoutedConversation& c) {
  const ConversationId id = c.arrival.conversation;
  CheckClock(c, c.first_response, Clock::kFirstResponse);
  CheckClock(c, c.next_response, Clock::kNextResponse);
  CheckClock(c, c.resolution, Clock::kResolution);
  CheckClock(c, c.reply_window, Clock::kReplyWindow);
  const auto& team = Team(c.team)->team;
  if (c.reserved_for && now_ >= c.reserved_until) {
    c.reserved_for = AgentId();
    if (c.phase == Phase::kQueued) TryAssign(c);
  }
  if (c.phase == Phase::kQueued && team.max_wait && CanOverflow(c) &&
      now_ >= c.queued_at + *team.max_wait) {
    Overflow(c, "waited " + Span(now_ - c.queued_at) + " in " + NameOf(team.id) +
                    ", over its limit of " + Span(*team.max_wait));
  } else if (c.phase == Phase::kAssigned && team.reassign_after && c.assigned_at &&
             now_ >= std::max(*c.assigned_at, c.last_customer_at) + *team.reassign_after) {
    const AgentId silent = c.assignee;
    c.declined.push_back(silent);
    const std::string why = NameOf(silent) + " did not reply within " + Span(*team.reassign_after);
    if (team.leader_id) {
      Event alert;
      alert.kind = EventKind::kLeaderAlerted;
      alert.conversation = id;
      alert.agent = team.leader_id;
      alert.team = team.id;
      alert.reason = why + "; it is back in the queue";
      Emit(std::move(alert));
    }
    ++c.reassignments;
    Unassign(c, why, true, true);
  }
  if (RoutedConversation* still = Conversation(id)) ArmConversationTimers(*still);
}

void Router::Advance(Timestamp now) {
  while (!timers_.empty() && timers_.top().at <= now) {
    const Timer timer = timers_.top();
    timers_.pop();
    now_ = std::max(now_, timer.at);
    if (timer.kind == TimerKind::kConversation) {
      RoutedConversation* c = Conversation(ConversationId(timer.id));
      if (c != nullptr && c->timer_generation == timer.generation) {
        c->armed_at = Timestamp::max();  // popped: the next arming pushes again
        FireConversation(*c);
      }
      continue;
    }
    AgentState* agent = Agent(AgentId(timer.id));
    if (agent == nullptr) continue;
    if (timer.kind == TimerKind::kShift) {  // one per agent at a time
      const bool was = agent->on_shift;
      agent->on_shift = agent->schedule.IsOpen(now_);
      if (!was && agent->on_shift) Offer(*agent);
      ArmShift(*agent);
    } else {
      UpdatePresence(*agent);  // a grace ended; a stale one (reconnected since) changes nothing
    }
  }
  now_ = std::max(now_, now);
}

core::Result<RoutedConversation*> Router::Admit(const Arrival& arrival) {
  if (conversations_.contains(arrival.conversation)) {
    return core::MakeError(core::ErrorCode::kAlreadyExists,
                           "conversation " + arrival.conversation.ToString() + " is already open");
  }
  const TeamId team_id = arrival.team ? arrival.team : teams_.front().team.id;
  if (Team(team_id) == nullptr) {
    return core::MakeError(
        core::ErrorCode::kNotFound,
        "conversation " + arrival.conversation.ToString() + ": unknown team " + team_id.ToString());
  }
  RoutedConversation& c = conversations_[arrival.conversation];
  c.arrival = arrival;
  SetSkillSymbols(c);
  c.team = team_id;
  if (arrival.version > 0) c.version = arrival.version;
  return &c;
}

core::Status Router::Open(const Arrival& arrival, Timestamp now) {
  Advance(now);
  PARLEY_ASSIGN_OR_RETURN(RoutedConversation * admitted, Admit(arrival));
  RoutedConversation& c = *admitted;
  const TeamState* team = Team(c.team);
  c.last_customer_at = arrival.opened_at;
  StartClock(c, c.first_response, SlaMetric::kFirstResponse, arrival.opened_at, Duration::zero());
  StartClock(c, c.resolution, SlaMetric::kResolution, arrival.opened_at, Duration::zero());
  c.resolution_since = arrival.opened_at;
  if (const auto window = config_.reply_windows.find(arrival.channel);
      arrival.private_channel && window != config_.reply_windows.end()) {
    c.reply_window.running = true;
    c.reply_window.due = arrival.opened_at + window->second;  // earlier when reloading
  }
  if (const auto last = LastHandler(arrival.customer);
      last && team->team.sticky_window && team->team.sticky_wait > Duration::zero() &&
      now_ - last->second <= *team->team.sticky_window &&
      std::find(team->team.member_ids.begin(), team->team.member_ids.end(), last->first) !=
          team->team.member_ids.end()) {
    c.reserved_for = last->first;
    c.reserved_until = now_ + team->team.sticky_wait;
  }
  Changed(c, Change::Of(Change::Kind::kOpened));
  Route(c);
  return core::Ok();
}

core::Status Router::CustomerWrote(ConversationId id, Timestamp now) {
  Advance(now);
  PARLEY_ASSIGN_OR_RETURN(RoutedConversation * c, Require(id));
  c->last_customer_at = now_;
  Changed(*c, Change::Of(Change::Kind::kCustomerWrote));
  if (const auto window = config_.reply_windows.find(c->arrival.channel);
      c->arrival.private_channel && window != config_.reply_windows.end()) {
    c->reply_window = SlaClock{};
    c->reply_window.running = true;
    c->reply_window.due = now_ + window->second;
    Rekey(*c);  // its deadline moved: so does its place in the queue
  }
  if (c->phase == Phase::kWaitingOnCustomer) {
    StartClock(*c, c->next_response, SlaMetric::kNextResponse, now_, Duration::zero());
    const SlaClock before = c->resolution;
    StartClock(*c, c->resolution, SlaMetric::kResolution, now_, c->resolution_used);
    c->resolution.warned = before.warned;
    c->resolution.breached = before.breached;
    c->resolution_since = now_;
    c->phase = Phase::kAssigned;
    const AgentState* assignee = FindAgent(c->assignee);
    if (assignee == nullptr || assignee->effective == Presence::kOffline) {
      Unassign(*c, "the customer wrote while the agent was offline", true);
      return core::Ok();
    }
  }
  ArmConversationTimers(*c);
  return core::Ok();
}

void Router::OfferAll(Timestamp now) {
  Advance(now);
  std::vector<AgentId> ids;
  for (const auto& [id, agent] : agents_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());  // the same order whatever the hash map's
  for (const auto id : ids) Offer(agents_.at(id));
}

core::Status Router::CheckReply(ConversationId id, AgentId agent,
                                std::optional<std::int64_t> seen_version) const {
  const RoutedConversation* c = Find(id);
  if (c == nullptr) {
    return core::MakeError(core::ErrorCode::kNotFound,
                           "conversation " + id.ToString() + " is not open");
  }
  if (!agent || c->assignee != agent) {
    return core::MakeError(core::ErrorCode::kPermissionDenied,
                           c->assignee
                               ? "assigned to " + NameOf(c->assignee) + "; take it over to reply"
                               : "the conversation is in the queue; assign it to "
                                 "yourself to reply");
  }
  if (seen_version && *seen_version < c->version) {
    // What others did since; the agent's own replies and assignment are not news to them.
    std::string missed;
    for (const auto& change : c->changes) {
      const bool own =
          (change.kind == Change::Kind::kReplied || change.kind == Change::Kind::kAssigned) &&
          change.agent == agent;
      if (change.version > *seen_version && !own) missed += " " + Render(change) + ";";
    }
    const bool older_than_kept =
        c->changes.empty() || c->changes.front().version > *seen_version + 1;
    if (!missed.empty() || older_than_kept) {
      std::string what = "the conversation changed since you opened it (version " +
                         std::to_string(*seen_version) + ", now " + std::to_string(c->version) +
                         "):" + missed;
      if (older_than_kept) what += " and earlier changes;";
      what.pop_back();
      return core::MakeError(core::ErrorCode::kConflict, std::move(what));
    }
  }
  return core::Ok();
}

core::Status Router::AgentReplied(ConversationId id, AgentId agent, Timestamp now,
                                  std::optional<std::int64_t> seen_version) {
  Advance(now);
  PARLEY_TRY(CheckReply(id, agent, seen_version));
  return Answered(id, agent, now);
}

core::Status Router::Answered(ConversationId id, AgentId agent, Timestamp now) {
  Advance(now);
  PARLEY_ASSIGN_OR_RETURN(RoutedConversation * c, Require(id));
  StopClock(*c, c->first_response, Clock::kFirstResponse);
  StopClock(*c, c->next_response, Clock::kNextResponse);
  StopClock(*c, c->reply_window, Clock::kReplyWindow);
  if (c->resolution.running && c->resolution_since) {  // paused while waiting on the customer
    c->resolution_used += ClockCalendar(*c).Between(*c->resolution_since, now_);
    c->resolution_since.reset();
    c->resolution.running = false;
    c->resolution.paused = true;
  }
  c->last_agent_reply_at = now_;
  if (c->phase != Phase::kQueued) c->phase = Phase::kWaitingOnCustomer;
  const AgentId handler = agent ? agent : c->assignee;
  if (handler) last_handler_[c->arrival.customer] = {handler, now_};
  Changed(*c, Change::Of(Change::Kind::kReplied, agent));
  ArmConversationTimers(*c);
  return core::Ok();
}

core::Status Router::Restore(const Arrival& arrival, const Standing& standing, Timestamp now) {
  Advance(now);
  PARLEY_ASSIGN_OR_RETURN(RoutedConversation * admitted, Admit(arrival));
  RoutedConversation& c = *admitted;
  c.last_customer_at = std::max(arrival.opened_at, standing.last_customer_at);
  c.last_agent_reply_at = standing.last_agent_reply_at;
  c.visited.push_back(c.team);
  const bool answered_last =
      standing.last_agent_reply_at && *standing.last_agent_reply_at >= c.last_customer_at;
  if (!standing.first_responded) {
    StartClock(c, c.first_response, SlaMetric::kFirstResponse, arrival.opened_at, Duration::zero());
  } else if (!answered_last) {
    StartClock(c, c.next_response, SlaMetric::kNextResponse, c.last_customer_at, Duration::zero());
  }
  const BusinessTime& calendar = ClockCalendar(c);
  if (answered_last) {  // paused: the time used until the agent's last reply
    StartClock(c, c.resolution, SlaMetric::kResolution, arrival.opened_at, Duration::zero());
    c.resolution_used = calendar.Between(arrival.opened_at, *standing.last_agent_reply_at);
    c.resolution.running = false;
    c.resolution.paused = true;
  } else {
    StartClock(c, c.resolution, SlaMetric::kResolution, arrival.opened_at, Duration::zero());
    c.resolution_since = arrival.opened_at;
  }
  if (const auto window = config_.reply_windows.find(arrival.channel);
      arrival.private_channel && window != config_.reply_windows.end() && !answered_last) {
    c.reply_window.running = true;
    c.reply_window.due = c.last_customer_at + window->second;
  }
  AgentState* agent = Agent(standing.assignee);
  if (agent != nullptr && agent->status == Presence::kOffline && agent->connections == 0 &&
      !standing.waiting_on_customer) {
    agent = nullptr;  // offline by choice: what they owe an answer goes back to the queue
  }
  if (agent == nullptr) {
    // Routed by OfferAll, once every assignee holds their work. Said only when it was someone's.
    Enqueue(c, standing.assignee ? "its agent is gone or offline" : "restored",
            standing.assignee.valid());
    return core::Ok();
  }
  c.phase = standing.waiting_on_customer ? Phase::kWaitingOnCustomer : Phase::kAssigned;
  c.assignee = agent->agent.id;
  c.assigned_at = now_;
  c.weight = WeightOf(*agent, arrival.channel);
  agent->load += c.weight;
  agent->conversations.insert(arrival.conversation);
  if (agent->connections == 0 && !agent->disconnected_at && agent->status != Presence::kOffline) {
    agent->disconnected_at = now_;
    agent->effective = agent->status;
    timers_.push({now_ + config_.presence_grace, TimerKind::kGrace, agent->agent.id.value(), 0});
  }
  ArmConversationTimers(c);
  return core::Ok();
}

core::Status Router::Resolve(ConversationId id, Timestamp now) {
  Advance(now);
  PARLEY_ASSIGN_OR_RETURN(RoutedConversation * c, Require(id));
  Dequeue(*c);
  StopClock(*c, c->first_response, Clock::kFirstResponse);
  StopClock(*c, c->next_response, Clock::kNextResponse);
  StopClock(*c, c->reply_window, Clock::kReplyWindow);
  StopClock(*c, c->resolution, Clock::kResolution);
  AgentState* agent = Agent(c->assignee);
  if (agent != nullptr) {
    agent->load -= c->weight;
    agent->conversations.erase(id);
    last_handler_[c->arrival.customer] = {agent->agent.id, now_};
  }
  Event event;
  event.kind = EventKind::kResolved;
  event.conversation = id;
  event.agent = c->assignee;
  event.team = c->team;
  Emit(std::move(event));
  conversations_.erase(id);
  if (agent != nullptr) Offer(*agent);
  return core::Ok();
}

core::Status Router::Assign(ConversationId id, AgentId agent_id, Timestamp now,
                            std::string_view why) {
  Advance(now);
  PARLEY_ASSIGN_OR_RETURN(RoutedConversation * c, Require(id));
  PARLEY_ASSIGN_OR_RETURN(AgentState * agent, Require(agent_id));
  if (c->assignee == agent_id) return core::Ok();
  if (agent->effective == Presence::kOffline && c->phase != Phase::kWaitingOnCustomer) {
    return core::MakeError(core::ErrorCode::kFailedPrecondition,
                           NameOf(agent_id) + " is offline and could not answer it");
  }
  const bool waiting = c->phase == Phase::kWaitingOnCustomer;
  if (c->assignee) Unassign(*c, "taken over by " + NameOf(agent_id), false);
  AssignTo(*c, *agent, std::string(why.empty() ? "assigned by hand" : why), {}, false);
  if (waiting) {
    c->phase = Phase::kWaitingOnCustomer;
    ArmConversationTimers(*c);
  }
  return core::Ok();
}

core::Status Router::Reprioritise(ConversationId id, int priority, Timestamp now) {
  Advance(now);
  PARLEY_ASSIGN_OR_RETURN(RoutedConversation * c, Require(id));
  if (c->arrival.priority == priority) return core::Ok();
  c->arrival.priority = priority;
  Rekey(*c);
  Change change = Change::Of(Change::Kind::kPriority);
  change.priority = priority;
  Changed(*c, std::move(change));
  return core::Ok();
}

core::Result<ConversationId> Router::Pull(AgentId agent_id, Timestamp now) {
  Advance(now);
  PARLEY_ASSIGN_OR_RETURN(AgentState * agent, Require(agent_id));
  if (agent->effective == Presence::kOffline) {
    return core::MakeError(core::ErrorCode::kFailedPrecondition,
                           "you are offline: connect to take work");
  }
  const TeamState::Key* best = nullptr;
  for (const std::size_t t : agent->teams) {
    for (const auto& key : teams_[t].queue) {
      if (best != nullptr && !(key < *best)) break;
      const RoutedConversation* c = Find(key.conversation);
      if (c != nullptr && Check(*agent, *c, true) == Block::kNone) {
        best = &key;
        break;
      }
    }
  }
  if (best == nullptr) {
    return core::MakeError(core::ErrorCode::kNotFound,
                           agent->load >= agent->agent.max_concurrent
                               ? "you are at your cap " + Load(*agent)
                               : "nothing waiting in your teams' queues that you can take");
  }
  RoutedConversation& c = *Conversation(best->conversation);
  AssignTo(c, *agent, "pulled from the queue by " + NameOf(agent_id), {}, true);
  return c.arrival.conversation;
}

core::Status Router::SetStatus(AgentId agent_id, Presence status, Timestamp now) {
  Advance(now);
  PARLEY_ASSIGN_OR_RETURN(AgentState * agent, Require(agent_id));
  agent->status = status;
  UpdatePresence(*agent);
  return core::Ok();
}

core::Status Router::Connected(AgentId agent_id, Timestamp now) {
  Advance(now);
  PARLEY_ASSIGN_OR_RETURN(AgentState * agent, Require(agent_id));
  ++agent->connections;
  agent->disconnected_at.reset();
  UpdatePresence(*agent);
  return core::Ok();
}

core::Status Router::Disconnected(AgentId agent_id, Timestamp now) {
  Advance(now);
  PARLEY_ASSIGN_OR_RETURN(AgentState * agent, Require(agent_id));
  if (agent->connections == 0) {
    return core::MakeError(core::ErrorCode::kFailedPrecondition,
                           NameOf(agent_id) + " has no connection to drop");
  }
  if (--agent->connections == 0) {
    agent->disconnected_at = now_;
    timers_.push({now_ + config_.presence_grace, TimerKind::kGrace, agent_id.value(), 0});
  }
  UpdatePresence(*agent);
  return core::Ok();
}

core::Status Router::Viewing(ConversationId id, AgentId agent, Timestamp now) {
  return Broadcast(EventKind::kViewing, id, agent, now);
}

core::Status Router::Typing(ConversationId id, AgentId agent, Timestamp now) {
  return Broadcast(EventKind::kTyping, id, agent, now);
}

core::Status Router::Broadcast(EventKind kind, ConversationId id, AgentId agent, Timestamp now) {
  Advance(now);
  PARLEY_ASSIGN_OR_RETURN(const RoutedConversation* c, Require(id));
  PARLEY_TRY(Require(agent));
  Event event;
  event.kind = kind;
  event.conversation = id;
  event.agent = agent;
  event.team = c->team;  // who may see the conversation may see who views it
  Emit(std::move(event));
  return core::Ok();
}

core::Status Router::CheckInvariants() const {
  auto broken = [](std::string what) {
    return core::MakeError(core::ErrorCode::kInternal, std::move(what));
  };
  std::size_t queued = 0;
  for (const auto& [id, c] : conversations_) {
    const TeamState* team = FindTeam(c.team);
    if (team == nullptr) return broken("conversation " + id.ToString() + " has no team");
    const bool in_queue = team->queue.contains(c.queue_key) && c.queue_key.conversation == id &&
                          c.phase == Phase::kQueued;
    if (c.phase == Phase::kQueued) {
      ++queued;
      if (!in_queue || c.assignee) {
        return broken("queued conversation " + id.ToString() + " is not in its queue alone");
      }
      for (const auto member : team->team.member_ids) {
        if (Eligible(agents_.at(member), c)) {
          return broken("conversation " + id.ToString() + " waits while " + NameOf(member) +
                        " could take it");
        }
      }
    } else {
      const AgentState* agent = FindAgent(c.assignee);
      if (in_queue || agent == nullptr || !agent->conversations.contains(id)) {
        return broken("assigned conversation " + id.ToString() + " is not its assignee's alone");
      }
    }
  }
  std::size_t in_queues = 0;
  for (const auto& team : teams_) in_queues += team.queue.size();
  if (in_queues != queued) return broken("the queues hold conversations that are not queued");
  for (const auto& [id, agent] : agents_) {
    int load = 0;
    bool taken_over = false;
    for (const auto cid : agent.conversations) {
      const RoutedConversation* c = Find(cid);
      if (c == nullptr || c->assignee != id) {
        return broken(NameOf(id) + " holds a conversation assigned elsewhere");
      }
      load += c->weight;
      taken_over = taken_over || c->taken_over;
    }
    if (load != agent.load) return broken(NameOf(id) + "'s load is miscounted");
    if (load > agent.agent.max_concurrent && !taken_over) {
      return broken(NameOf(id) + " is over their cap " + Load(agent) + " by automatic assignment");
    }
  }
  return core::Ok();
}

}  // namespace parley::routing
