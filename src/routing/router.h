// The router of one workspace (C3.1-C3.6): queues, presence, load, SLA clocks and timers.
//
// A single-threaded state machine. Every call carries the time it happens at; timers that fall
// due before it fire first, in order, so the same calls give the same events whatever the clock
// (the server's, the simulator's, a benchmark's). What happened comes out as events, taken with
// TakeEvents(); each assignment carries why this agent and why not the others considered.
//
// Guarantees, checked by CheckInvariants() after every call in the tests:
//   - automatic assignment never takes an agent above their cap (weighted load);
//   - a queued conversation has no eligible agent (it is assigned the moment someone qualifies);
//   - a conversation is in at most one queue, or assigned to exactly one agent, never both.
//
// Thread-safety: not thread-safe; one thread drives a Router (the engine's, or the caller's).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "parley/core/result.h"
#include "parley/domain/enum_names.h"
#include "parley/domain/people.h"
#include "parley/domain/sla.h"
#include "parley/routing/calendar.h"

namespace parley::routing {

using domain::AgentId;
using domain::ConversationId;
using domain::CustomerId;
using domain::TeamId;

struct RouterConfig {
  std::vector<domain::Agent> agents;
  std::vector<domain::Team> teams;
  std::vector<domain::BusinessCalendar> calendars;
  std::vector<domain::SlaPolicy> sla_policies;
  // For teams without a policy of their own.
  domain::SlaPolicy default_policy = domain::DefaultSlaPolicy(domain::WorkspaceId());
  // How long an agent whose last connection dropped keeps their presence (a reload, a blip).
  Duration presence_grace = std::chrono::seconds(60);
  // The platforms' own reply windows for private messages, from the customer's last message:
  // WhatsApp's customer service window, Messenger's and Instagram's standard messaging window.
  std::map<domain::ChannelKind, Duration> reply_windows = {
      {domain::ChannelKind::kWhatsApp, std::chrono::hours(24)},
      {domain::ChannelKind::kFacebook, std::chrono::hours(24)},
      {domain::ChannelKind::kInstagram, std::chrono::hours(24)},
  };
};

// What the router needs to know of a conversation that needs an agent.
struct Arrival {
  ConversationId conversation;
  CustomerId customer;
  TeamId team;  // none: the first team
  domain::ChannelKind channel = domain::ChannelKind::kX;
  bool private_channel = false;  // a DM: the platform's reply window applies
  std::string language;          // ISO 639-1, empty if unknown
  std::string topic;             // the triage category ("billing"), empty if none
  int priority = 0;              // 0..100
  domain::Tier tier = domain::Tier::kTier2;
  Timestamp opened_at;       // SLA clocks start here (earlier than now when reloading)
  std::int64_t version = 0;  // the conversation's stored version: the router counts on from it
};

// Where a conversation stood when the router that held it stopped (Router::Restore).
struct Standing {
  AgentId assignee;                  // none: queued
  bool waiting_on_customer = false;  // the agent answered last
  bool first_responded = false;
  Timestamp last_customer_at;
  std::optional<Timestamp> last_agent_reply_at;
};

enum class Clock { kFirstResponse, kNextResponse, kResolution, kReplyWindow };

enum class EventKind {
  kQueued,         // waiting in a team queue; reason says why nobody took it
  kAssigned,       // reason: why this agent; considered: why not the others
  kUnassigned,     // reason: no reply in time, agent offline, resolved elsewhere
  kOverflowed,     // moved from team to to_team; reason: waited too long or queue over its cap
  kLeaderAlerted,  // the team leader is told (agent: the leader) why
  kSlaWarning,     // clock due soon
  kSlaBreached,    // clock passed its deadline with the response still owed
  kSlaStopped,     // clock stopped; reason "met" or "missed"
  kPresence,       // the agent's effective presence changed
  kViewing,        // an agent opened the conversation
  kTyping,         // an agent is writing a reply
  kResolved,
  kQueueDepth,  // a team's queue after a batch changed it: queued, oldest_queued_at (the engine's)
};

}  // namespace parley::routing

template <>
struct parley::domain::EnumNames<parley::routing::Clock> {
  using Clock = parley::routing::Clock;
  static constexpr std::array<std::pair<Clock, std::string_view>, 4> kNames{{
      {Clock::kFirstResponse, "first_response"},
      {Clock::kNextResponse, "next_response"},
      {Clock::kResolution, "resolution"},
      {Clock::kReplyWindow, "reply_window"},
  }};
};

template <>
struct parley::domain::EnumNames<parley::routing::EventKind> {
  using Kind = parley::routing::EventKind;
  static constexpr std::array<std::pair<Kind, std::string_view>, 13> kNames{{
      {Kind::kQueued, "queued"},
      {Kind::kAssigned, "assigned"},
      {Kind::kUnassigned, "unassigned"},
      {Kind::kOverflowed, "overflowed"},
      {Kind::kLeaderAlerted, "leader_alerted"},
      {Kind::kSlaWarning, "sla_warning"},
      {Kind::kSlaBreached, "sla_breached"},
      {Kind::kSlaStopped, "sla_stopped"},
      {Kind::kPresence, "presence"},
      {Kind::kViewing, "viewing"},
      {Kind::kTyping, "typing"},
      {Kind::kResolved, "resolved"},
      {Kind::kQueueDepth, "queue_depth"},
  }};
};

namespace parley::routing {

using domain::ToString;

struct Considered {
  AgentId agent;
  std::string why_not;  // "at cap 5/5", "offline", "lacks language es"
};

struct Event {
  EventKind kind = EventKind::kQueued;
  Timestamp at;
  ConversationId conversation;
  AgentId agent;
  TeamId team;
  TeamId to_team;
  Clock clock = Clock::kFirstResponse;
  std::optional<Timestamp> due;
  domain::Presence presence = domain::Presence::kOffline;
  std::string reason;
  std::vector<Considered> considered;
  bool silent = false;                        // kUnassigned: the assignee did not reply in time
  std::size_t queued = 0;                     // kQueueDepth
  std::optional<Timestamp> oldest_queued_at;  // kQueueDepth: none when the queue is empty
};

enum class Phase { kQueued, kAssigned, kWaitingOnCustomer };

// A change to a conversation, kept so that a reply from a stale view can be told what it missed;
// rendered as text only then.
struct Change {
  enum class Kind : std::uint8_t {
    kOpened,
    kCustomerWrote,
    kReplied,     // by `agent` (none: the brand, on the platform)
    kAssigned,    // to `agent`
    kUnassigned,  // from `agent`, `why`
    kMoved,       // from `from` to `to`, `why`
    kPriority,    // to `priority`
  };
  std::int64_t version = 0;
  Kind kind = Kind::kOpened;
  AgentId agent;
  TeamId from;
  TeamId to;
  int priority = 0;
  std::string why;

  static Change Of(Kind kind, AgentId agent = {}, std::string why = {}) {
    Change change;
    change.kind = kind;
    change.agent = agent;
    change.why = std::move(why);
    return change;
  }
};

// A place in a team queue: priority first, then the earliest deadline, then arrival.
struct QueueKey {
  int negative_priority = 0;
  Timestamp deadline;
  std::uint64_t seq = 0;
  ConversationId conversation;
  auto operator<=>(const QueueKey&) const = default;
};

struct SlaClock {
  bool running = false;
  bool paused = false;  // the resolution clock, while waiting on the customer
  std::optional<Timestamp> due;
  std::optional<Timestamp> warn_at;
  bool warned = false;
  bool breached = false;
  // The last time the clock stopped, and whether it was in time.
  std::optional<Timestamp> stopped_at;
  std::optional<bool> met;
};

struct RoutedConversation {
  Arrival arrival;
  TeamId team;
  Phase phase = Phase::kQueued;
  AgentId assignee;
  bool taken_over = false;  // by explicit action, which may go above a cap
  int weight = 1;
  Timestamp queued_at;
  QueueKey queue_key;  // where it sits while queued
  std::optional<Timestamp> assigned_at;
  Timestamp last_customer_at;
  std::optional<Timestamp> last_agent_reply_at;
  std::vector<TeamId> visited;    // teams it has been queued in, first first
  std::vector<AgentId> declined;  // agents who lost it by not replying in time
  AgentId reserved_for;           // stickiness: held for the previous handler...
  Timestamp reserved_until;       // ...until then
  SlaClock first_response;
  SlaClock next_response;
  SlaClock resolution;
  SlaClock reply_window;
  Duration resolution_used{0};  // business time counted before the current pause
  std::optional<Timestamp> resolution_since;
  // The arrival's language, channel and topic as skill symbols (kNoSkill: none given).
  std::array<int, 3> skill_symbols{-1, -1, -1};
  int overflows = 0;
  int reassignments = 0;
  std::int64_t version = 1;
  std::vector<Change> changes;  // the latest few, for stale views
  // Its timer in the heap: one at a time, when it is due and which generation is current.
  Timestamp armed_at = Timestamp::max();
  std::uint32_t timer_generation = 0;
};

struct AgentState {
  domain::Agent agent;
  domain::Presence status = domain::Presence::kOffline;  // what the agent chose
  int connections = 0;
  std::optional<Timestamp> disconnected_at;
  domain::Presence effective = domain::Presence::kOffline;
  int load = 0;  // weighted
  std::set<ConversationId> conversations;
  Timestamp last_assigned_at{};  // for least-load ties: who has waited longest
  BusinessTime schedule = BusinessTime::WallClock();
  bool on_shift = true;
  std::vector<std::size_t> teams;  // indexes into Router::teams()
  // The agent's skills by kind (language, channel, topic) as (symbol, level), and whether they
  // list any of the kind: compared as numbers on every decision.
  std::array<std::vector<std::pair<int, int>>, 3> skills;
  std::array<bool, 3> lists_kind{};
};

struct TeamState {
  domain::Team team;
  std::vector<AgentState*> members;  // in member_ids' order
  using Key = QueueKey;
  std::set<QueueKey> queue;
  std::size_t round_robin_next = 0;
  BusinessTime calendar = BusinessTime::WallClock();
  const domain::SlaPolicy* policy = nullptr;
};

class Router {
 public:
  // Refused with the reason: unknown ids between teams, agents, calendars and policies, invalid
  // calendars, no team at all.
  static core::Result<std::unique_ptr<Router>> Create(RouterConfig config, Timestamp now);

  // Fires the timers due up to `now` (overflows, reassignments, SLA warnings and breaches,
  // presence grace, shift changes). Every call below does this first.
  void Advance(Timestamp now);

  // A conversation needs an agent: a new one, or a resolved one the customer reopened (it goes
  // back to whoever handled it if they can take it).
  core::Status Open(const Arrival& arrival, Timestamp now);
  // The customer wrote again: starts the next-response clock if an agent had answered, restarts
  // the resolution clock, opens the reply window again.
  core::Status CustomerWrote(ConversationId id, Timestamp now);
  // An agent answers. Refused if another agent is assigned (kPermissionDenied), or if the agent's
  // view (`seen_version`) is older than the conversation (kConflict, with what changed since;
  // the agent's own replies and their own assignment do not make their view stale).
  core::Status AgentReplied(ConversationId id, AgentId agent, Timestamp now,
                            std::optional<std::int64_t> seen_version = std::nullopt);
  // The refusal AgentReplied would give, without recording anything: asked before a reply is
  // sent, which is recorded with Answered once it is on the platform.
  core::Status CheckReply(ConversationId id, AgentId agent,
                          std::optional<std::int64_t> seen_version) const;
  // The brand answered the customer (a reply delivered; `agent` none when written on the
  // platform itself): the response clocks stop and the conversation waits on the customer.
  core::Status Answered(ConversationId id, AgentId agent, Timestamp now);
  // A conversation that was open when the previous router stopped (a restart, a failed write):
  // with its assignee, or back in its queue (not routed yet), with its clocks counted from its
  // history. An assignee not connected (yet) is treated as just disconnected: one whose status is
  // not offline keeps their presence and their work for the grace period while their browser
  // reconnects; one whose status is offline keeps only what waits on the customer. Restore every
  // conversation, then call OfferAll.
  core::Status Restore(const Arrival& arrival, const Standing& standing, Timestamp now);
  // Offers the queues to every agent who can take from them (after Restore).
  void OfferAll(Timestamp now);
  // Resolved or closed: all clocks stop, the agent's load drops, the next in line is assigned.
  core::Status Resolve(ConversationId id, Timestamp now);
  // Explicit assignment by a person (take over, reassign from the wallboard): may go above a cap.
  core::Status Assign(ConversationId id, AgentId agent, Timestamp now, std::string_view why);
  // Priority changed (triage rule, a supervisor): the queue order follows.
  core::Status Reprioritise(ConversationId id, int priority, Timestamp now);
  // The agent takes the next conversation from their teams' queues. Respects the cap.
  core::Result<ConversationId> Pull(AgentId agent, Timestamp now);

  // Presence: the agent's chosen status, and their live connections (a WebSocket each).
  core::Status SetStatus(AgentId agent, domain::Presence status, Timestamp now);
  core::Status Connected(AgentId agent, Timestamp now);
  core::Status Disconnected(AgentId agent, Timestamp now);
  // Viewing and typing: broadcast to whoever watches the conversation.
  core::Status Viewing(ConversationId id, AgentId agent, Timestamp now);
  core::Status Typing(ConversationId id, AgentId agent, Timestamp now);

  std::vector<Event> TakeEvents() { return std::exchange(events_, {}); }
  // The team's queue now, as a kQueueDepth event (for a wallboard).
  Event QueueDepth(TeamId team, Timestamp now) const;
  const RoutedConversation* Find(ConversationId id) const;
  const AgentState* FindAgent(AgentId id) const;
  const TeamState* FindTeam(TeamId id) const;
  const std::unordered_map<ConversationId, RoutedConversation>& conversations() const {
    return conversations_;
  }
  const std::unordered_map<AgentId, AgentState>& agents() const { return agents_; }
  const std::vector<TeamState>& teams() const { return teams_; }
  // Counted work: assignments made automatically or by pull.
  std::uint64_t decisions() const { return decisions_; }
  Timestamp now() const { return now_; }
  // When the earliest timer is due (it may turn out to have nothing left to do).
  std::optional<Timestamp> NextTimer() const {
    if (timers_.empty()) return std::nullopt;
    return timers_.top().at;
  }

  // OK, or the first broken guarantee (see the top of this file).
  core::Status CheckInvariants() const;

 private:
  explicit Router(RouterConfig config, Timestamp now);

  enum class TimerKind : std::uint8_t {
    kConversation,  // SLA warnings and breaches, overflow by wait, reassignment, reservation
    kGrace,         // an agent's presence grace ends
    kShift,         // an agent's schedule opens or closes
  };
  struct Timer {
    Timestamp at;
    TimerKind kind;
    std::int64_t id;
    std::uint32_t generation;  // conversations: current only if equal to theirs
    // Same-instant timers in a fixed order, whatever the hash maps' iteration order.
    bool operator>(const Timer& other) const {
      if (at != other.at) return at > other.at;
      if (kind != other.kind) return kind > other.kind;
      return id > other.id;
    }
  };

  TeamState* Team(TeamId id);
  // A new conversation in the router, in its team (the arrival's, else the first); refused if
  // already open or the team is unknown.
  core::Result<RoutedConversation*> Admit(const Arrival& arrival);
  RoutedConversation* Conversation(ConversationId id);
  AgentState* Agent(AgentId id);
  // The open conversation, or the agent; kNotFound saying which.
  core::Result<RoutedConversation*> Require(ConversationId id);
  core::Result<AgentState*> Require(AgentId id);
  void Emit(Event event);
  core::Status Broadcast(EventKind kind, ConversationId id, AgentId agent, Timestamp now);
  void Changed(RoutedConversation& c, Change change);
  std::string Render(const Change& change) const;

  // Agent eligibility for a conversation: an empty string, or why not.
  // Why an agent cannot take a conversation, as a code (cheap, for every decision) and as text
  // (for the explanation).
  enum class Block : std::uint8_t {
    kNone,
    kOffline,
    kAway,
    kOffShift,
    kDeclined,
    kHeld,
    kLanguage,
    kChannel,
    kTopic,
    kCap
  };
  Block Check(const AgentState& agent, const RoutedConversation& c, bool for_pull) const;
  std::string Describe(Block block, const AgentState& agent, const RoutedConversation& c) const;
  std::string WhyNot(const AgentState& agent, const RoutedConversation& c, bool for_pull) const {
    return Describe(Check(agent, c, for_pull), agent, c);
  }
  bool Eligible(const AgentState& agent, const RoutedConversation& c) const {
    return Check(agent, c, false) == Block::kNone;
  }
  int SkillScore(const AgentState& agent, const RoutedConversation& c) const;
  // A skill value of a kind as a number: -1 for none given, -2 for one no agent lists.
  int SkillSymbol(domain::SkillKind kind, std::string_view value) const;
  void SetSkillSymbols(RoutedConversation& c) const;
  int WeightOf(const AgentState& agent, domain::ChannelKind channel) const;
  std::optional<std::pair<AgentId, Timestamp>> LastHandler(CustomerId customer) const;

  // Assigns c to the best eligible agent of its team, or leaves it queued; true if assigned.
  bool TryAssign(RoutedConversation& c, std::string* why_queued = nullptr);
  void AssignTo(RoutedConversation& c, AgentState& agent, std::string reason,
                std::vector<Considered> considered, bool automatic);
  // `silent`: the assignee lost it by not replying in time (a reassignment).
  void Unassign(RoutedConversation& c, std::string_view why, bool requeue, bool silent = false);
  // Assigns c, or queues it in its team with the reason nobody could take it.
  void Route(RoutedConversation& c);
  // `announce`: emit kQueued (not for a conversation restored where it already stood).
  void Enqueue(RoutedConversation& c, std::string why, bool announce = true);
  void Dequeue(RoutedConversation& c);
  // Its priority or deadline changed: its place in the queue follows.
  void Rekey(RoutedConversation& c);
  QueueKey KeyOf(const RoutedConversation& c, std::uint64_t seq) const;
  void Overflow(RoutedConversation& c, std::string_view why);
  bool CanOverflow(const RoutedConversation& c) const;
  // The agent may have become able to take more: offer them the queues of their teams.
  void Offer(AgentState& agent);
  void UpdatePresence(AgentState& agent);
  void ArmConversationTimers(RoutedConversation& c);
  void ArmShift(AgentState& agent);
  void FireConversation(RoutedConversation& c);
  void StartClock(RoutedConversation& c, SlaClock& clock, domain::SlaMetric metric, Timestamp from,
                  Duration used);
  void StopClock(RoutedConversation& c, SlaClock& clock, Clock which);
  void CheckClock(RoutedConversation& c, SlaClock& clock, Clock which);
  std::string NameOf(AgentId id) const;
  std::string NameOf(TeamId id) const;
  const BusinessTime& ClockCalendar(const RoutedConversation& c) const;
  const domain::SlaPolicy& PolicyOf(const RoutedConversation& c) const;

  RouterConfig config_;
  Timestamp now_;
  std::vector<TeamState> teams_;
  std::unordered_map<TeamId, std::size_t> team_index_;
  std::unordered_map<AgentId, AgentState> agents_;
  std::unordered_map<ConversationId, RoutedConversation> conversations_;
  std::unordered_map<CustomerId, std::pair<AgentId, Timestamp>> last_handler_;
  std::array<std::map<std::string, int, std::less<>>, 3> skill_symbols_;  // by kind
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::vector<Event> events_;
  std::uint64_t queue_seq_ = 0;
  std::uint64_t decisions_ = 0;
};

}  // namespace parley::routing
