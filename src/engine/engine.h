// The live engine of one workspace (DESIGN.md, ARCHITECTURE.md "Concurrency model").
//
// Engine is a single-threaded state machine: it owns the workspace's mutable care state (open
// conversations, customers seen, the platform-id index used for threading and de-duplication) and
// turns commands into changes. A call to Process() handles a batch of commands and writes all
// their effects to the store in one atomic batch; if the write fails, the engine forgets what it
// learnt in that call (its caches are rebuilt from the store), so the commands can be retried.
//
// Thread-safety: not thread-safe. Exactly one thread drives an Engine: EngineThread in the server,
// the caller in tests, the simulator and benchmarks.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "parley/core/clock.h"
#include "parley/core/id.h"
#include "parley/domain/inbound.h"
#include "parley/domain/outbound.h"
#include "parley/domain/workspace.h"
#include "parley/routing/router.h"
#include "parley/storage/store.h"
#include "parley/triage/triage.h"

namespace parley::engine {

// A normalised platform event from a channel account of this workspace.
struct IngestCommand {
  domain::InboundEvent event;
  domain::ChannelAccount account;
  domain::RawPayloadId payload;
  // The triage of an inbound message (C2), done before the command reached the engine: the
  // ingest processor triages while the engine writes the previous round. The engine applies it
  // to the message (language, tags) and its conversation (priority, tier, reasons, tags,
  // category, team). Null: not triaged.
  std::shared_ptr<const triage::TriageResult> triage = nullptr;
};

// An outbox item changed state (outbound/dispatcher.h). The message it carries is recorded when
// first claimed (delivery queued) and follows the item: sent (on the platform, counted as the
// brand's response), failed with the reason, or unconfirmed until the platform's echo shows it.
// Moderation that went through updates the message it acted on (hidden, deleted).
struct OutboundCommand {
  domain::OutboxItem item;
  domain::ChannelAccount account;
};

// Distribution (C3): the router's timers falling due, a person acting on a conversation, an
// agent's presence. Refusals (not the assignee, a stale view, nothing to pull) are outcomes of
// kind kRefused, not errors: the batch they are in is written.
struct RoutingCommand {
  enum class Kind {
    kTick,          // fire the timers due by now (sent by the engine's thread)
    kCheckReply,    // may `agent` reply, having seen `seen_version`? (before the outbox)
    kAssign,        // take over, or assign by hand (`note`: why)
    kPull,          // `agent` takes the next conversation of their queues
    kResolve,       // `note`: the resolution code
    kSetStatus,     // the agent's chosen presence
    kConnected,     // a live connection of the agent opened...
    kDisconnected,  // ...or closed
    kViewing,
    kTyping,
    kReload,          // the stored set-up changed: rebuild the router from the store
    kTag,             // add `add_tags` to the conversation's tags and remove `remove_tags`
    kLinkCustomers,   // `other_customer` is the same person as `customer`: merged into it
    kUnlinkIdentity,  // `customer`'s identity (`channel`, `platform_user_id`) is someone else
    kAgentsNow,       // asks: each agent's presence, shift and load as the router has them
  };
  Kind kind = Kind::kTick;
  domain::ConversationId conversation;
  domain::AgentId agent;
  std::optional<std::int64_t> seen_version;
  domain::Presence presence = domain::Presence::kOnline;
  std::string note;
  std::vector<std::string> add_tags;
  std::vector<std::string> remove_tags;
  domain::CustomerId customer;
  domain::CustomerId other_customer;
  domain::ChannelKind channel = domain::ChannelKind::kGeneric;
  std::string platform_user_id;
};

using Command = std::variant<IngestCommand, OutboundCommand, RoutingCommand>;

enum class OutcomeKind {
  kCreated,        // a new message (and maybe customer and conversation)
  kDuplicate,      // seen before (a platform retry, a replayed payload): nothing changed
  kUpdated,        // an edit, deletion, visibility or delivery change applied
  kRecorded,       // an interaction recorded
  kUnknownTarget,  // an update for a message we do not hold: recorded as ignored, not an error
  kRefused,        // a routing action refused: `refusal` says why
};

struct Outcome {
  Outcome() = default;
  Outcome(OutcomeKind k, domain::MessageId message, domain::ConversationId conversation,
          bool opened, domain::TeamId team = {})
      : kind(k),
        message_id(message),
        conversation_id(conversation),
        new_conversation(opened),
        team_id(team) {}

  OutcomeKind kind = OutcomeKind::kCreated;
  domain::MessageId message_id;
  domain::ConversationId conversation_id;
  bool new_conversation = false;
  domain::TeamId team_id;           // the conversation's team, when known: for who may be told
  std::string platform_message_id;  // a new message's id on its platform
  bool from_customer = false;       // kCreated: a customer's message (not the brand's own)
  domain::CustomerId customer_id;   // kUnlinkIdentity: the customer the identity now belongs to
  // kAgentsNow: each agent as the router has them now (empty when routing is off).
  struct AgentNow {
    domain::AgentId agent;
    domain::Presence presence = domain::Presence::kOffline;  // effective: status and connection
    domain::Presence status = domain::Presence::kOffline;    // what they chose
    bool on_shift = true;
    int load = 0;  // weighted, against their cap
    int connections = 0;
  };
  std::vector<AgentNow> agents;
  std::optional<core::Error> refusal;

  // A new message from a customer (what the buzz counts).
  bool IsNewCustomerMessage() const { return kind == OutcomeKind::kCreated && from_customer; }
};

std::string_view ToString(OutcomeKind kind);

class Engine {
 public:
  // REQUIRES: workspace.id is valid; store, clock and ids outlive the engine.
  Engine(domain::Workspace workspace, storage::Store& store, const core::Clock& clock,
         core::IdGenerator& ids);

  // Applies the commands in order and writes their effects in one batch. On success, one outcome
  // per command. On a storage error nothing is written and the engine's caches are reset.
  core::Result<std::vector<Outcome>> Process(std::vector<Command>& commands);

  const domain::Workspace& workspace() const { return workspace_; }
  const core::Clock& clock() const { return clock_; }

  // When the engine wants a kTick: now, before routing is loaded (at start, after a failed
  // write); then when the router's next timer falls due; nullopt when nothing is waiting.
  std::optional<domain::Timestamp> NextWake() const;
  // The router's events of the last batch written (assignments with their reasons, SLA warnings
  // and breaches, presence, viewing, typing): the live events.
  std::vector<routing::Event> TakeRoutingEvents() { return std::exchange(routing_events_, {}); }
  // The router, once loaded; null when the workspace has no teams (routing is off).
  const routing::Router* router() const { return router_.get(); }
  // Why routing is off although teams are stored (an invalid calendar, say); empty otherwise.
  const std::string& routing_problem() const { return routing_problem_; }

  // Called after a batch is written, once for each unconfirmed outbox item that the platform's
  // echo or status showed to have arrived (the outbox records it sent). Set before Process.
  using OutboxConfirmer = std::function<void(domain::OutboxId, const std::string& platform_id)>;
  void SetOutboxConfirmer(OutboxConfirmer confirm) { confirm_ = std::move(confirm); }

 private:
  struct Pending;  // the effects of one Process() call

  core::Result<Outcome> Handle(const IngestCommand& command, Pending& pending);
  core::Result<Outcome> Handle(const OutboundCommand& command, Pending& pending);
  core::Result<Outcome> Handle(const RoutingCommand& command, Pending& pending);
  // Loads the teams, agents, calendars and SLA policies, and restores the open conversations
  // into a new router, unless loaded. Never fails the batch: a problem turns routing off for
  // now (routing_problem() says why) and is tried again.
  void EnsureRouter(Pending& pending);
  core::Status LoadRouter(domain::Timestamp now);
  // Takes the router's events into the batch: the conversations they concern are brought in
  // line with the router when the batch is written.
  void CollectRouting(Pending& pending);
  // The router hears of a customer message in `conversation` (opens it, or the customer wrote
  // again), or of the brand's answer.
  core::Status RouteCustomerMessage(domain::Conversation& conversation,
                                    const domain::Message& message, Pending& pending);
  core::Status RouteAnswer(const domain::Conversation& conversation, domain::AgentId agent,
                           Pending& pending);
  // Status, assignee, team, deadlines, version and the assignment's reasons, from the router.
  void SyncRouted(domain::Conversation& conversation, const routing::RoutedConversation& routed);
  core::Result<Outcome> RecordModeration(const OutboundCommand& command, Pending& pending);
  // The outbound message `item` carries, as stored or in this batch; a new one when neither.
  core::Result<domain::Message> OutboundMessage(const OutboundCommand& command, Pending& pending);
  // A brand message seen on the platform that is one Parley sent but has not confirmed (the echo
  // came before the dispatcher's answer, or after a restart): that message, now sent.
  core::Result<std::optional<Outcome>> AdoptEcho(const domain::Message& echo,
                                                 domain::OutboxId tagged,
                                                 domain::Conversation* conversation,
                                                 Pending& pending);
  // The reply of an awaited outbox item, confirmed on the platform as `platform_id` with
  // `status` (sent, or a later receipt).
  core::Result<Outcome> Confirm(domain::OutboxId outbox, domain::Message mine,
                                const std::string& platform_id, domain::DeliveryStatus status,
                                domain::Timestamp at, Pending& pending);
  core::Result<std::optional<domain::Message>> LoadMessage(domain::MessageId id, Pending& pending);
  // Puts the message in the batch, replacing an earlier version of it.
  static void Stage(Pending& pending, domain::Message message);
  core::Result<Outcome> IngestMessage(const domain::InboundMessage& inbound,
                                      const IngestCommand& command, Pending& pending);
  core::Result<Outcome> IngestUpdate(const domain::InboundEvent& event,
                                     const domain::ChannelAccount& account, Pending& pending);

  // Identity and thread only, from the index: for de-duplication and threading.
  core::Result<std::optional<storage::MessageRef>> FindMessageRef(domain::ChannelAccountId account,
                                                                  const std::string& platform_id,
                                                                  Pending& pending);
  // The whole message: for updates.
  core::Result<std::optional<domain::Message>> FindMessage(domain::ChannelAccountId account,
                                                           const std::string& platform_id,
                                                           Pending& pending);
  core::Result<Outcome> IngestOutbound(domain::Message message, domain::OutboxId outbox_id,
                                       const domain::ChannelAccount& account, Pending& pending);
  // The customer with this identity on `channel`, created if new; refreshed from `person`.
  core::Result<domain::Customer*> CustomerFor(domain::ChannelKind channel,
                                              const domain::Author& person, domain::Timestamp at,
                                              Pending& pending);
  // The conversation of the message with this platform id, unless there is none or it is closed.
  core::Result<domain::Conversation*> ConversationOfParent(domain::ChannelAccountId account,
                                                           const std::string& parent_platform_id,
                                                           Pending& pending);
  // The conversation of replies to this message that arrived before it, unless closed.
  core::Result<domain::Conversation*> ConversationOfReplies(domain::ChannelAccountId account,
                                                            const std::string& platform_id,
                                                            Pending& pending);
  // The customer's open conversation, if any.
  core::Result<domain::Conversation*> OpenConversationOf(domain::CustomerId customer,
                                                         Pending& pending);
  core::Result<domain::Conversation*> LoadConversation(domain::ConversationId id, Pending& pending);
  // A customer of this workspace, cached and marked to be written with its identities; null
  // when there is none.
  core::Result<domain::Customer*> LoadCustomer(domain::CustomerId id, Pending& pending);
  core::Result<Outcome> LinkCustomers(const RoutingCommand& command, Pending& pending);
  void ResetCaches();

  domain::Workspace workspace_;
  storage::Store& store_;
  const core::Clock& clock_;
  core::IdGenerator& ids_;

  // Caches of what the store holds, kept warm between calls. Conversations are kept while open;
  // customers until there are 200,000, then those without open work are dropped.
  std::unordered_map<domain::ConversationId, domain::Conversation> conversations_;
  std::unordered_map<domain::CustomerId, domain::Customer> customers_;
  std::unordered_map<domain::CustomerId, domain::ConversationId> open_conversation_of_;
  // "channel/platform user id" of cached customers.
  std::unordered_map<std::string, domain::CustomerId> identity_index_;
  // Replies whose outbox item is sending or unconfirmed: what a platform echo or status may
  // confirm. Rebuilt at start from the outbox's reports.
  struct Awaiting {
    domain::MessageId message;
    domain::ConversationId conversation;
  };
  std::unordered_map<domain::OutboxId, Awaiting> awaiting_;
  OutboxConfirmer confirm_;
  // Distribution (C3). Rebuilt from the store when a batch fails, like the caches; the live
  // connections of agents are kept here so that a rebuilt router knows who is connected.
  std::unique_ptr<routing::Router> router_;
  bool routing_loaded_ = false;
  std::optional<domain::Timestamp> routing_retry_at_;
  domain::TeamId default_team_;  // the workspace's, as stored when routing was last loaded
  std::string routing_problem_;
  std::map<domain::AgentId, int> connections_;
  std::vector<routing::Event> routing_events_;
  // Applies the triage of an inbound message to it and its conversation.
  void ApplyTriage(const triage::TriageResult& result, domain::Message& message,
                   domain::Conversation& conversation);
};

}  // namespace parley::engine
