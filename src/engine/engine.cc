#include "parley/engine/engine.h"

#include <cmath>
#include <map>
#include <set>

namespace parley::engine {
namespace {

// The key of identity_index_: a customer's identity on one channel.
std::string IdentityKey(domain::ChannelKind channel, const std::string& platform_user_id) {
  return std::to_string(static_cast<int>(channel)) + "/" + platform_user_id;
}

constexpr std::size_t kMaxCachedCustomers = 200'000;
constexpr std::size_t kAssignmentsKept = 50;  // on each conversation

std::string PlatformKey(domain::ChannelAccountId account, const std::string& platform_id) {
  return account.ToString() + "/" + platform_id;
}

// Messages without a platform id (drafts) are keyed by their own id.
std::string PendingKey(const domain::Message& message) {
  return PlatformKey(message.channel_account_id, message.platform_message_id.empty()
                                                     ? message.id.ToString()
                                                     : message.platform_message_id);
}

}  // namespace

std::string_view ToString(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kCreated:
      return "created";
    case OutcomeKind::kDuplicate:
      return "duplicate";
    case OutcomeKind::kUpdated:
      return "updated";
    case OutcomeKind::kRecorded:
      return "recorded";
    case OutcomeKind::kUnknownTarget:
      return "unknown_target";
    case OutcomeKind::kRefused:
      return "refused";
  }
  return "unknown";
}

// What one Process() call changed, written as one batch at its end.
struct Engine::Pending {
  std::map<std::string, domain::Message> messages;  // by platform key, for lookups in the batch
  std::set<domain::ConversationId> conversations;   // touched
  std::set<domain::CustomerId> customers;           // touched
  std::set<domain::CustomerId> new_customers;       // created in this call: no history to look up
  std::vector<domain::Interaction> interactions;
  std::vector<domain::MessageId> deleted_messages;                  // merged into another record
  std::vector<std::pair<domain::OutboxId, std::string>> confirmed;  // to tell the outbox
  std::set<domain::ConversationId> routed;            // the router changed their assignment or team
  std::vector<routing::Event> events;                 // the router's, published once written
  std::map<domain::AgentId, domain::Agent> agents;    // a chosen presence to store
  std::set<domain::CustomerId> identities_changed;    // linked or unlinked by hand: written whole
  std::vector<domain::CustomerId> deleted_customers;  // merged into another
};

Engine::Engine(domain::Workspace workspace, storage::Store& store, const core::Clock& clock,
               core::IdGenerator& ids)
    : workspace_(std::move(workspace)), store_(store), clock_(clock), ids_(ids) {}

void Engine::ResetCaches() {
  router_.reset();
  routing_loaded_ = false;
  conversations_.clear();
  customers_.clear();
  identity_index_.clear();
  open_conversation_of_.clear();
}

core::Result<std::vector<Outcome>> Engine::Process(std::vector<Command>& commands) {
  Pending pending;
  const auto awaiting_before = awaiting_;  // restored if the batch is not written
  std::vector<Outcome> outcomes;
  outcomes.reserve(commands.size());
  auto fail = [&](core::Error error) {
    ResetCaches();
    awaiting_ = awaiting_before;
    return error;
  };
  EnsureRouter(pending);  // knows the connections before this batch...
  // ...and these, whatever becomes of the batch, so that a router rebuilt after it knows them.
  for (const auto& command : commands) {
    const auto* routing = std::get_if<RoutingCommand>(&command);
    if (routing != nullptr && routing->kind == RoutingCommand::Kind::kConnected) {
      ++connections_[routing->agent];
    } else if (routing != nullptr && routing->kind == RoutingCommand::Kind::kDisconnected) {
      auto found = connections_.find(routing->agent);
      if (found != connections_.end() && --found->second <= 0) connections_.erase(found);
    }
  }
  if (router_ != nullptr) {  // timers due by now fire first, however busy the queue
    router_->Advance(clock_.Now());
    CollectRouting(pending);
  }
  for (auto& command : commands) {
    auto outcome = std::visit([&](auto& c) { return Handle(c, pending); }, command);
    if (!outcome.ok()) return fail(outcome.error());
    outcomes.push_back(*outcome);
  }
  // The conversations the router holds are written as it sees them.
  if (router_ != nullptr) {
    for (auto id : pending.routed) {
      if (router_->Find(id) == nullptr) continue;
      if (auto loaded = LoadConversation(id, pending); !loaded.ok()) return fail(loaded.error());
    }
    for (auto id : pending.conversations) {
      if (const auto* routed = router_->Find(id)) SyncRouted(conversations_.at(id), *routed);
    }
    // Every assignment is kept on its conversation with its reasons (C3.6).
    for (const auto& event : pending.events) {
      if (event.kind != routing::EventKind::kAssigned) continue;
      auto found = conversations_.find(event.conversation);
      if (found == conversations_.end()) continue;
      domain::Conversation& c = found->second;
      c.assignment_reason = event.reason;
      c.passed_over.clear();
      for (const auto& considered : event.considered) {
        c.passed_over.push_back({considered.agent, considered.why_not});
      }
      c.assignments.push_back({event.agent, event.at, c.assignment_reason, c.passed_over});
      if (c.assignments.size() > kAssignmentsKept) c.assignments.erase(c.assignments.begin());
    }
    for (auto& outcome : outcomes) {  // the team the router chose, for who may be told
      if (auto found = conversations_.find(outcome.conversation_id);
          found != conversations_.end()) {
        outcome.team_id = found->second.team_id;
      }
    }
  }

  storage::WriteBatch batch;
  for (const auto& [key, message] : pending.messages) batch.Put(message);
  for (auto id : pending.customers) {
    // The engine adds identities only to customers it creates; the rest are profile refreshes.
    if (pending.new_customers.contains(id) || pending.identities_changed.contains(id)) {
      batch.Put(customers_.at(id));
    } else {
      batch.PutKnownIdentities(customers_.at(id));
    }
  }
  for (auto id : pending.conversations) batch.Put(conversations_.at(id));
  for (const auto& interaction : pending.interactions) batch.Put(interaction);
  for (auto id : pending.deleted_messages) batch.Delete(storage::EntityKind::kMessage, id.value());
  for (auto id : pending.deleted_customers) {
    batch.Delete(storage::EntityKind::kCustomer, id.value());
  }
  for (const auto& [id, agent] : pending.agents) batch.Put(agent);
  if (!batch.empty()) {
    if (auto status = store_.Apply(batch); !status.ok()) return fail(status.error());
  }
  // The depth of every queue the batch changed, once each (C6's wallboard).
  if (router_ != nullptr) {
    std::set<domain::TeamId> touched;
    for (const auto& event : pending.events) {
      switch (event.kind) {
        case routing::EventKind::kQueued:
        case routing::EventKind::kAssigned:
        case routing::EventKind::kUnassigned:
        case routing::EventKind::kResolved:
          if (event.team) touched.insert(event.team);
          break;
        case routing::EventKind::kOverflowed:
          if (event.team) touched.insert(event.team);
          if (event.to_team) touched.insert(event.to_team);
          break;
        default:
          break;
      }
    }
    for (auto team : touched) pending.events.push_back(router_->QueueDepth(team, clock_.Now()));
  }
  std::move(pending.events.begin(), pending.events.end(), std::back_inserter(routing_events_));
  if (confirm_) {
    for (const auto& [outbox, platform_id] : pending.confirmed) confirm_(outbox, platform_id);
  }
  // Keep only open work warm.
  for (auto id : pending.conversations) {
    const auto& conversation = conversations_.at(id);
    if (!domain::IsOpen(conversation.status)) {
      auto open = open_conversation_of_.find(conversation.customer_id);
      if (open != open_conversation_of_.end() && open->second == id) {
        open_conversation_of_.erase(open);
      }
      conversations_.erase(id);
    }
  }
  // Customers stay warm (they write again soon: that is how conversations go) until the cache
  // is full; then those without open work are dropped.
  if (customers_.size() > kMaxCachedCustomers) {
    std::erase_if(customers_, [this](const auto& entry) {
      return !open_conversation_of_.contains(entry.first);
    });
    std::erase_if(identity_index_,
                  [this](const auto& entry) { return !customers_.contains(entry.second); });
  }
  return outcomes;
}

core::Result<Outcome> Engine::Handle(const IngestCommand& command, Pending& pending) {
  if (const auto* inbound = std::get_if<domain::InboundMessage>(&command.event)) {
    return IngestMessage(*inbound, command, pending);
  }
  if (const auto* interaction = std::get_if<domain::InboundInteraction>(&command.event)) {
    domain::Interaction recorded = interaction->interaction;
    recorded.id = ids_.NextId<domain::InteractionId>();
    recorded.workspace_id = workspace_.id;
    recorded.channel_account_id = command.account.id;
    pending.interactions.push_back(std::move(recorded));
    return Outcome{OutcomeKind::kRecorded, {}, {}, false};
  }
  return IngestUpdate(command.event, command.account, pending);
}

core::Result<std::optional<domain::Message>> Engine::FindMessage(domain::ChannelAccountId account,
                                                                 const std::string& platform_id,
                                                                 Pending& pending) {
  if (platform_id.empty()) return std::optional<domain::Message>();
  auto in_batch = pending.messages.find(PlatformKey(account, platform_id));
  if (in_batch != pending.messages.end()) {
    return std::optional<domain::Message>(in_batch->second);
  }
  auto ref = store_.FindMessageByPlatformId(account, platform_id);
  PARLEY_TRY(ref);
  if (!ref->has_value()) return std::optional<domain::Message>();
  return storage::Get<domain::Message>(store_, (*ref)->id);
}

core::Result<std::optional<storage::MessageRef>> Engine::FindMessageRef(
    domain::ChannelAccountId account, const std::string& platform_id, Pending& pending) {
  if (platform_id.empty()) return std::optional<storage::MessageRef>();
  auto in_batch = pending.messages.find(PlatformKey(account, platform_id));
  if (in_batch != pending.messages.end()) {
    return std::optional<storage::MessageRef>(
        storage::MessageRef{in_batch->second.id, in_batch->second.conversation_id});
  }
  return store_.FindMessageByPlatformId(account, platform_id);
}

core::Result<domain::Conversation*> Engine::LoadConversation(domain::ConversationId id,
                                                             Pending& pending) {
  auto it = conversations_.find(id);
  if (it == conversations_.end()) {
    auto loaded = storage::Get<domain::Conversation>(store_, id);
    PARLEY_TRY(loaded);
    if (!loaded->has_value()) {
      return core::MakeError(core::ErrorCode::kInternal,
                             "conversation " + id.ToString() + " is referenced but missing");
    }
    it = conversations_.emplace(id, std::move(**loaded)).first;
  }
  pending.conversations.insert(id);
  return &it->second;
}

core::Result<domain::Customer*> Engine::LoadCustomer(domain::CustomerId id, Pending& pending) {
  auto it = customers_.find(id);
  if (it == customers_.end()) {
    PARLEY_ASSIGN_OR_RETURN(auto loaded, storage::Get<domain::Customer>(store_, id));
    if (!loaded || loaded->workspace_id != workspace_.id) {
      return static_cast<domain::Customer*>(nullptr);
    }
    it = customers_.emplace(id, std::move(*loaded)).first;
  }
  pending.customers.insert(id);
  pending.identities_changed.insert(id);
  return &it->second;
}

core::Result<Outcome> Engine::LinkCustomers(const RoutingCommand& command, Pending& pending) {
  Outcome outcome{OutcomeKind::kRecorded, {}, {}, false};
  auto refuse = [&](core::ErrorCode code, std::string message) {
    outcome.kind = OutcomeKind::kRefused;
    outcome.refusal = core::MakeError(code, std::move(message));
    return outcome;
  };
  PARLEY_ASSIGN_OR_RETURN(domain::Customer * customer, LoadCustomer(command.customer, pending));
  if (customer == nullptr) return refuse(core::ErrorCode::kNotFound, "no such customer");
  if (command.kind == RoutingCommand::Kind::kLinkCustomers) {
    if (command.other_customer == command.customer) {
      return refuse(core::ErrorCode::kInvalidArgument, "a customer is already themself");
    }
    PARLEY_ASSIGN_OR_RETURN(domain::Customer * other,
                            LoadCustomer(command.other_customer, pending));
    if (other == nullptr) return refuse(core::ErrorCode::kNotFound, "no such customer to link");
    // Every identity, conversation and fact of the other is this customer's from now on.
    for (auto& identity : other->identities) {
      identity_index_[IdentityKey(identity.channel, identity.platform_user_id)] = customer->id;
      customer->identities.push_back(std::move(identity));
    }
    if (customer->display_name.empty()) customer->display_name = other->display_name;
    if (customer->key_customer_tier.empty()) customer->key_customer_tier = other->key_customer_tier;
    for (auto& [name, value] : other->attributes) customer->attributes.emplace(name, value);
    customer->first_seen_at = std::min(customer->first_seen_at, other->first_seen_at);
    customer->last_contact_at = std::max(customer->last_contact_at, other->last_contact_at);
    storage::ConversationQuery query;
    query.workspace_id = workspace_.id;
    query.customer_id = other->id;
    query.sort = storage::ConversationSort::kRecent;
    query.limit = 500;
    while (true) {
      PARLEY_ASSIGN_OR_RETURN(auto page, store_.QueryConversations(query));
      for (const std::string& document : page.documents) {
        PARLEY_ASSIGN_OR_RETURN(auto stored, domain::DecodeJson<domain::Conversation>(document));
        PARLEY_ASSIGN_OR_RETURN(domain::Conversation * c, LoadConversation(stored.id, pending));
        c->customer_id = customer->id;
      }
      if (page.next_cursor.empty()) break;
      query.cursor = page.next_cursor;
    }
    // Conversations of the other cached or created in this batch, not yet stored.
    for (auto id : pending.conversations) {
      auto& c = conversations_.at(id);
      if (c.customer_id == other->id) c.customer_id = customer->id;
    }
    if (auto open = open_conversation_of_.find(other->id); open != open_conversation_of_.end()) {
      open_conversation_of_.try_emplace(customer->id, open->second);
      open_conversation_of_.erase(open);
    }
    const domain::CustomerId gone = other->id;
    pending.customers.erase(gone);
    pending.identities_changed.erase(gone);
    pending.new_customers.erase(gone);
    pending.deleted_customers.push_back(gone);
    customers_.erase(gone);
    return outcome;
  }
  // Unlink: the identity becomes a customer of its own; the history stays where it is.
  auto found = std::find_if(customer->identities.begin(), customer->identities.end(),
                            [&](const domain::Identity& identity) {
                              return identity.channel == command.channel &&
                                     identity.platform_user_id == command.platform_user_id;
                            });
  if (found == customer->identities.end()) {
    return refuse(core::ErrorCode::kNotFound, "the customer has no such identity");
  }
  if (customer->identities.size() == 1) {
    return refuse(core::ErrorCode::kFailedPrecondition,
                  "it is the customer's only identity: nothing to split from");
  }
  domain::Customer split;
  split.id = ids_.NextId<domain::CustomerId>();
  split.workspace_id = workspace_.id;
  split.display_name = found->display_name.empty() ? found->handle : found->display_name;
  split.first_seen_at = clock_.Now();
  split.last_contact_at = customer->last_contact_at;
  split.identities.push_back(std::move(*found));
  customer->identities.erase(found);
  identity_index_[IdentityKey(command.channel, command.platform_user_id)] = split.id;
  outcome.customer_id = split.id;
  pending.customers.insert(split.id);
  pending.identities_changed.insert(split.id);
  customers_.emplace(split.id, std::move(split));
  return outcome;
}

core::Result<domain::Customer*> Engine::CustomerFor(domain::ChannelKind channel,
                                                    const domain::Author& author,
                                                    domain::Timestamp at, Pending& pending) {
  const std::string user_id =
      author.platform_user_id.empty() ? author.handle : author.platform_user_id;
  std::optional<domain::CustomerId> id;
  // Cached customers (including those created in this batch, not yet in the store) first.
  const std::string identity_key = IdentityKey(channel, user_id);
  if (auto known = identity_index_.find(identity_key);
      known != identity_index_.end() && customers_.contains(known->second)) {
    id = known->second;
  }
  if (!id) {
    auto found = store_.FindCustomerByIdentity(workspace_.id, channel, user_id);
    PARLEY_TRY(found);
    id = *found;
  }
  domain::Customer* customer = nullptr;
  if (id) {
    auto it = customers_.find(*id);
    if (it == customers_.end()) {
      auto loaded = storage::Get<domain::Customer>(store_, *id);
      PARLEY_TRY(loaded);
      if (!loaded->has_value()) {
        return core::MakeError(core::ErrorCode::kInternal,
                               "customer " + id->ToString() + " is indexed but missing");
      }
      it = customers_.emplace(*id, std::move(**loaded)).first;
    }
    customer = &it->second;
    identity_index_[identity_key] = *id;
  } else {
    domain::Customer created;
    created.id = ids_.NextId<domain::CustomerId>();
    created.workspace_id = workspace_.id;
    created.display_name = author.display_name.empty() ? author.handle : author.display_name;
    created.first_seen_at = at;
    created.identities.push_back(
        {channel, user_id, author.handle, author.display_name, author.followers, author.verified});
    pending.new_customers.insert(created.id);
    identity_index_[identity_key] = created.id;
    customer = &customers_.emplace(created.id, std::move(created)).first->second;
  }
  // Refresh what the platform tells us about the person.
  for (auto& identity : customer->identities) {
    if (identity.channel == channel && identity.platform_user_id == user_id) {
      if (!author.handle.empty()) identity.handle = author.handle;
      if (!author.display_name.empty()) identity.display_name = author.display_name;
      if (author.followers > 0) identity.followers = author.followers;
      identity.verified = identity.verified || author.verified;
    }
  }
  customer->last_contact_at = std::max(customer->last_contact_at, at);
  pending.customers.insert(customer->id);
  return customer;
}

core::Result<domain::Conversation*> Engine::ConversationOfParent(
    domain::ChannelAccountId account, const std::string& parent_platform_id, Pending& pending) {
  auto parent = FindMessageRef(account, parent_platform_id, pending);
  PARLEY_TRY(parent);
  if (!parent->has_value() || !(*parent)->conversation_id) {
    return static_cast<domain::Conversation*>(nullptr);
  }
  auto loaded = LoadConversation((*parent)->conversation_id, pending);
  PARLEY_TRY(loaded);
  if ((*loaded)->status == domain::ConversationStatus::kClosed) {
    return static_cast<domain::Conversation*>(nullptr);
  }
  return *loaded;
}

core::Result<domain::Conversation*> Engine::ConversationOfReplies(domain::ChannelAccountId account,
                                                                  const std::string& platform_id,
                                                                  Pending& pending) {
  if (platform_id.empty()) return static_cast<domain::Conversation*>(nullptr);
  domain::ConversationId id;
  for (const auto& [key, waiting] : pending.messages) {
    if (waiting.channel_account_id == account && waiting.in_reply_to_platform_id == platform_id &&
        waiting.conversation_id) {
      id = waiting.conversation_id;
      break;
    }
  }
  if (!id) {
    auto replies = store_.ListRepliesTo(account, platform_id, 1);
    PARLEY_TRY(replies);
    if (replies->empty()) return static_cast<domain::Conversation*>(nullptr);
    auto reply = domain::DecodeJson<domain::Message>(replies->front());
    PARLEY_TRY(reply);
    id = reply->conversation_id;
  }
  if (!id) return static_cast<domain::Conversation*>(nullptr);
  auto loaded = LoadConversation(id, pending);
  PARLEY_TRY(loaded);
  if ((*loaded)->status == domain::ConversationStatus::kClosed) {
    return static_cast<domain::Conversation*>(nullptr);
  }
  return *loaded;
}

core::Result<domain::Conversation*> Engine::OpenConversationOf(domain::CustomerId customer,
                                                               Pending& pending) {
  auto open = open_conversation_of_.find(customer);
  if (open != open_conversation_of_.end()) return LoadConversation(open->second, pending);
  if (pending.new_customers.contains(customer)) {
    return static_cast<domain::Conversation*>(nullptr);  // just created: no history
  }
  storage::ConversationQuery query;
  query.workspace_id = workspace_.id;
  query.customer_id = customer;
  query.statuses = {domain::ConversationStatus::kQueued, domain::ConversationStatus::kAssigned,
                    domain::ConversationStatus::kWaitingOnCustomer};
  query.sort = storage::ConversationSort::kRecent;
  query.limit = 1;
  auto page = store_.QueryConversations(query);
  PARLEY_TRY(page);
  if (page->documents.empty()) return static_cast<domain::Conversation*>(nullptr);
  auto decoded = domain::DecodeJson<domain::Conversation>(page->documents.front());
  PARLEY_TRY(decoded);
  return LoadConversation(decoded->id, pending);
}

// A message the brand wrote on the platform itself (a native reply, a DM sent from the app, or
// the echo of a reply Parley sent). It joins the conversation it answers; it never creates a
// customer out of the brand.
core::Result<Outcome> Engine::IngestOutbound(domain::Message message, domain::OutboxId outbox_id,
                                             const domain::ChannelAccount& account,
                                             Pending& pending) {
  auto found = ConversationOfParent(account.id, message.in_reply_to_platform_id, pending);
  PARLEY_TRY(found);
  domain::Conversation* conversation = *found;
  if (conversation == nullptr && !message.recipient_platform_user_id.empty()) {
    domain::Author recipient;
    recipient.platform_user_id = message.recipient_platform_user_id;
    auto customer = CustomerFor(message.channel, recipient, message.published_at, pending);
    PARLEY_TRY(customer);
    auto open = OpenConversationOf((*customer)->id, pending);
    PARLEY_TRY(open);
    conversation = *open;
    message.customer_id = (*customer)->id;
  }
  message.delivery = domain::DeliveryStatus::kSent;  // it is on the platform already
  auto adopted = AdoptEcho(message, outbox_id, conversation, pending);
  PARLEY_TRY(adopted);
  if (adopted->has_value()) return **adopted;
  if (conversation != nullptr) {
    PARLEY_TRY(domain::RecordMessage(*conversation, message.channel, message.direction,
                                     message.published_at));
    PARLEY_TRY(RouteAnswer(*conversation, domain::AgentId(), pending));
    message.conversation_id = conversation->id;
    message.customer_id = conversation->customer_id;
  }
  Outcome outcome{OutcomeKind::kCreated, message.id, message.conversation_id, false};
  pending.messages.emplace(PendingKey(message), std::move(message));
  return outcome;
}

core::Result<Outcome> Engine::IngestMessage(const domain::InboundMessage& inbound,
                                            const IngestCommand& command, Pending& pending) {
  const auto& account = command.account;
  domain::Message message = inbound.message;
  auto existing = FindMessageRef(account.id, message.platform_message_id, pending);
  PARLEY_TRY(existing);
  if (existing->has_value()) {
    return Outcome{OutcomeKind::kDuplicate, (*existing)->id, (*existing)->conversation_id, false};
  }

  message.id = ids_.NextId<domain::MessageId>();
  message.workspace_id = workspace_.id;
  message.channel_account_id = account.id;
  message.channel = account.kind;
  message.raw_payload_id = command.payload;
  if (message.received_at == domain::Timestamp()) message.received_at = clock_.Now();
  if (message.published_at == domain::Timestamp()) message.published_at = message.received_at;

  if (message.direction == domain::Direction::kOutbound) {
    return IngestOutbound(std::move(message), inbound.outbox_id, account, pending);
  }
  auto customer = CustomerFor(message.channel, message.author, message.published_at, pending);
  PARLEY_TRY(customer);
  message.customer_id = (*customer)->id;

  // Which conversation: the one of the message replied to, else the customer's open one, else
  // the one its early replies opened, else a new one.
  auto found = ConversationOfParent(account.id, message.in_reply_to_platform_id, pending);
  PARLEY_TRY(found);
  domain::Conversation* conversation = *found;
  if (conversation == nullptr) {
    auto open = OpenConversationOf(message.customer_id, pending);
    PARLEY_TRY(open);
    conversation = *open;
  }
  if (conversation == nullptr) {
    // Replies that arrived before this message (out-of-order delivery) already hold its thread.
    auto replies = ConversationOfReplies(account.id, message.platform_message_id, pending);
    PARLEY_TRY(replies);
    conversation = *replies;
  }
  bool created = false;
  if (conversation == nullptr) {
    domain::Conversation fresh;
    fresh.id = ids_.NextId<domain::ConversationId>();
    fresh.workspace_id = workspace_.id;
    fresh.customer_id = message.customer_id;
    fresh.opened_at = message.published_at;
    fresh.updated_at = message.published_at;
    conversation = &conversations_.emplace(fresh.id, std::move(fresh)).first->second;
    pending.conversations.insert(conversation->id);
    created = true;
  }
  if (command.triage) ApplyTriage(*command.triage, message, *conversation);
  PARLEY_TRY(domain::RecordMessage(*conversation, message.channel, message.direction,
                                   message.published_at));
  if (domain::IsOpen(conversation->status)) {
    open_conversation_of_[message.customer_id] = conversation->id;
  }
  PARLEY_TRY(RouteCustomerMessage(*conversation, message, pending));
  message.conversation_id = conversation->id;

  Outcome outcome{OutcomeKind::kCreated, message.id, conversation->id, created,
                  conversation->team_id};
  outcome.platform_message_id = message.platform_message_id;
  outcome.from_customer = message.direction == domain::Direction::kInbound;
  pending.messages.emplace(PendingKey(message), std::move(message));
  return outcome;
}

void Engine::ApplyTriage(const triage::TriageResult& result, domain::Message& message,
                         domain::Conversation& conversation) {
  if (message.language.empty()) message.language = result.language;
  if (conversation.language.empty()) conversation.language = message.language;
  // Kept to two decimals: enough to draw, and what reads back from the stored document.
  message.sentiment = std::round(result.sentiment * 100) / 100;
  message.filters = result.filters;
  conversation.sentiment = message.sentiment;
  if (!result.pii.empty()) {
    for (const auto& span : result.pii) {
      const std::string kind(domain::ToString(span.type));
      if (std::find(message.personal_data.begin(), message.personal_data.end(), kind) ==
          message.personal_data.end()) {
        message.personal_data.push_back(kind);
      }
    }
    message.redacted_text = result.public_text;
  }
  for (const std::string& tag : result.tags) {
    if (std::find(message.tags.begin(), message.tags.end(), tag) == message.tags.end()) {
      message.tags.push_back(tag);
    }
  }
  // A conversation is as urgent as its most urgent message; a new message that ranks higher
  // brings its tier and its reasons with it.
  if (result.priority > conversation.priority || conversation.message_count == 0) {
    conversation.priority = result.priority;
    conversation.tier = static_cast<domain::Tier>(result.tier);
    conversation.priority_reasons.clear();
    for (const triage::Reason& reason : result.reasons) {
      if (reason.field == "priority" && reason.points != 0 && reason.points != result.priority) {
        conversation.priority_reasons.push_back(reason.because);
      }
      if (reason.field == "rule")
        conversation.priority_reasons.push_back("rule " + reason.value + ": " + reason.because);
    }
  }
  for (const std::string& tag : result.tags) {
    if (std::find(conversation.tags.begin(), conversation.tags.end(), tag) ==
        conversation.tags.end()) {
      conversation.tags.push_back(tag);
    }
  }
  if (conversation.category.empty()) conversation.category = result.category;
  if (!conversation.team_id && !result.team.empty()) {
    if (const auto team = core::ParseId<domain::TeamId>(result.team)) conversation.team_id = *team;
  }
}

core::Result<Outcome> Engine::IngestUpdate(const domain::InboundEvent& event,
                                           const domain::ChannelAccount& account,
                                           Pending& pending) {
  const std::string platform_id = std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, domain::InboundMessage>) {
          return e.message.platform_message_id;
        } else if constexpr (std::is_same_v<T, domain::InboundInteraction>) {
          return e.interaction.target_platform_id;
        } else {
          return e.platform_message_id;
        }
      },
      event);
  auto found = FindMessage(account.id, platform_id, pending);
  PARLEY_TRY(found);
  if (!found->has_value()) {
    // A status for a reply whose send was never confirmed, naming its outbox item (WhatsApp's
    // biz_opaque_callback_data): it did arrive.
    const auto* delivery = std::get_if<domain::InboundDeliveryUpdate>(&event);
    auto awaited = delivery != nullptr && delivery->outbox_id.valid()
                       ? awaiting_.find(delivery->outbox_id)
                       : awaiting_.end();
    if (awaited != awaiting_.end()) {
      auto mine = LoadMessage(awaited->second.message, pending);
      PARLEY_TRY(mine);
      if (mine->has_value()) {
        return Confirm(delivery->outbox_id, std::move(**mine), platform_id, delivery->status,
                       delivery->at, pending);
      }
    }
    return Outcome{OutcomeKind::kUnknownTarget, {}, {}, false};
  }
  domain::Message message = std::move(**found);

  if (const auto* edit = std::get_if<domain::InboundEdit>(&event)) {
    if (message.edited_at && *message.edited_at >= edit->edited_at) {
      return Outcome{OutcomeKind::kDuplicate, message.id, message.conversation_id, false};
    }
    message.text = edit->text;
    message.edited_at = edit->edited_at;
    // The edit is what shows: its personal data, masked again (or none any more).
    message.personal_data.clear();
    message.redacted_text.clear();
    if (message.direction == domain::Direction::kInbound) {
      const auto spans = triage::FindPii(message.text);
      for (const auto& span : spans) {
        const std::string kind(domain::ToString(span.type));
        if (std::find(message.personal_data.begin(), message.personal_data.end(), kind) ==
            message.personal_data.end()) {
          message.personal_data.push_back(kind);
        }
      }
      if (!spans.empty()) message.redacted_text = triage::Redact(message.text, spans);
    }
  } else if (const auto* deletion = std::get_if<domain::InboundDeletion>(&event)) {
    if (message.deleted_at) {
      return Outcome{OutcomeKind::kDuplicate, message.id, message.conversation_id, false};
    }
    message.deleted_at = deletion->deleted_at;
  } else if (const auto* visibility = std::get_if<domain::InboundVisibilityChange>(&event)) {
    message.hidden = visibility->hidden;
  } else if (const auto* delivery = std::get_if<domain::InboundDeliveryUpdate>(&event)) {
    // Receipts arrive out of order (read before delivered); one that would move backwards is
    // simply older news.
    if (!domain::CanTransition(message.delivery, delivery->status)) {
      return Outcome{OutcomeKind::kDuplicate, message.id, message.conversation_id, false};
    }
    PARLEY_TRY(domain::Transition(message.delivery, delivery->status));
    message.delivery_error = delivery->error;
  }
  Outcome outcome{OutcomeKind::kUpdated, message.id, message.conversation_id, false};
  pending.messages[PlatformKey(account.id, platform_id)] = std::move(message);
  return outcome;
}

namespace {

domain::DeliveryStatus DeliveryOf(domain::OutboxState state) {
  switch (state) {
    case domain::OutboxState::kQueued:
    case domain::OutboxState::kSending:
      return domain::DeliveryStatus::kQueued;
    case domain::OutboxState::kSent:
      return domain::DeliveryStatus::kSent;
    case domain::OutboxState::kFailed:
      return domain::DeliveryStatus::kFailed;
    case domain::OutboxState::kUnconfirmed:
      return domain::DeliveryStatus::kUnconfirmed;
  }
  return domain::DeliveryStatus::kQueued;
}

domain::MessageKind OutboundMessageKind(domain::OutboundKind kind, domain::ChannelKind channel) {
  if (kind != domain::OutboundKind::kReply) return domain::MessageKind::kDirectMessage;
  switch (channel) {
    case domain::ChannelKind::kFacebook:
    case domain::ChannelKind::kInstagram:
      return domain::MessageKind::kComment;
    case domain::ChannelKind::kWhatsApp:
      return domain::MessageKind::kDirectMessage;
    default:
      return domain::MessageKind::kReply;
  }
}

std::string OutboundText(const domain::OutboundAction& action) {
  if (action.kind != domain::OutboundKind::kTemplate) return action.text;
  std::string text = "[template " + action.template_name;
  for (std::size_t i = 0; i < action.template_parameters.size(); ++i) {
    text += (i == 0 ? ": " : ", ") + action.template_parameters[i];
  }
  return text + "]";
}

// Platforms trim what they publish; an echo matches when the texts agree but for that.
std::string_view Trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

void Engine::Stage(Pending& pending, domain::Message message) {
  std::erase_if(pending.messages, [&](const auto& entry) { return entry.second.id == message.id; });
  pending.messages.emplace(PendingKey(message), std::move(message));
}

core::Result<std::optional<domain::Message>> Engine::LoadMessage(domain::MessageId id,
                                                                 Pending& pending) {
  for (const auto& [key, message] : pending.messages) {
    if (message.id == id) return std::optional<domain::Message>(message);
  }
  return storage::Get<domain::Message>(store_, id);
}

core::Result<Outcome> Engine::Handle(const OutboundCommand& command, Pending& pending) {
  const auto& item = command.item;
  if (!domain::CarriesMessage(item.action.kind)) return RecordModeration(command, pending);
  if (!item.message_id.valid()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "outbox item " + item.id.ToString() + " carries no message id");
  }
  auto built = OutboundMessage(command, pending);
  PARLEY_TRY(built);
  domain::Message message = std::move(built).value();
  const auto target = DeliveryOf(item.state);

  // The platform gave an id another record holds: the echo arrived first and was not matched.
  // That record is the message; ours merges into it.
  if (target == domain::DeliveryStatus::kSent && !item.platform_id.empty() &&
      message.platform_message_id != item.platform_id) {
    auto holder = FindMessage(command.account.id, item.platform_id, pending);
    PARLEY_TRY(holder);
    if (holder->has_value() && (*holder)->id != message.id) {
      domain::Message echo = std::move(**holder);
      echo.agent_id = item.agent_id;
      echo.user_id = item.user_id;
      pending.deleted_messages.push_back(message.id);
      std::erase_if(pending.messages,
                    [&](const auto& entry) { return entry.second.id == message.id; });
      Outcome outcome{OutcomeKind::kDuplicate, echo.id, echo.conversation_id, false};
      Stage(pending, std::move(echo));
      return outcome;
    }
  }

  const bool becomes_sent =
      target == domain::DeliveryStatus::kSent && message.delivery != domain::DeliveryStatus::kSent;
  if (message.delivery != target) {
    if (!domain::CanTransition(message.delivery, target)) {
      // Older news (a receipt moved it on already).
      return Outcome{OutcomeKind::kDuplicate, message.id, message.conversation_id, false};
    }
    PARLEY_TRY(domain::Transition(message.delivery, target));
  }
  message.delivery_error = item.error_code.empty() ? "" : item.error_code + ": " + item.error;
  // Only a request that may have reached the platform can be confirmed by its echo; one
  // waiting out a backoff has not been made yet.
  if (item.state == domain::OutboxState::kSending ||
      item.state == domain::OutboxState::kUnconfirmed) {
    awaiting_[item.id] = Awaiting{message.id, message.conversation_id};
  } else {
    awaiting_.erase(item.id);
  }
  if (becomes_sent) {
    message.platform_message_id = item.platform_id;
    message.published_at = item.finished_at.value_or(clock_.Now());
    if (message.conversation_id) {
      auto conversation = LoadConversation(message.conversation_id, pending);
      PARLEY_TRY(conversation);
      if ((*conversation)->status != domain::ConversationStatus::kClosed) {
        PARLEY_TRY(domain::RecordMessage(**conversation, message.channel, message.direction,
                                         message.published_at));
        PARLEY_TRY(RouteAnswer(**conversation, message.agent_id, pending));
      }
    }
  }
  Outcome outcome{OutcomeKind::kUpdated, message.id, message.conversation_id, false};
  Stage(pending, std::move(message));
  return outcome;
}

core::Result<domain::Message> Engine::OutboundMessage(const OutboundCommand& command,
                                                      Pending& pending) {
  const auto& item = command.item;
  auto existing = LoadMessage(item.message_id, pending);
  PARLEY_TRY(existing);
  if (existing->has_value()) return std::move(**existing);

  domain::Message message;
  message.id = item.message_id;
  message.workspace_id = workspace_.id;
  message.channel_account_id = command.account.id;
  message.channel = command.account.kind;
  message.kind = OutboundMessageKind(item.action.kind, command.account.kind);
  message.direction = domain::Direction::kOutbound;
  message.visibility = domain::NaturalVisibility(message.kind);
  message.in_reply_to_platform_id = item.action.target_platform_id;
  message.recipient_platform_user_id = item.action.recipient_platform_user_id;
  message.agent_id = item.agent_id;
  message.user_id = item.user_id;
  message.text = OutboundText(item.action);
  message.received_at = item.created_at;
  message.published_at = item.created_at;
  message.delivery = domain::DeliveryStatus::kQueued;

  // Its conversation: named by the enqueuer, else the one of the message it answers, else the
  // recipient's open one.
  domain::Conversation* conversation = nullptr;
  if (item.conversation_id) {
    auto loaded = LoadConversation(item.conversation_id, pending);
    PARLEY_TRY(loaded);
    conversation = *loaded;
  }
  if (conversation == nullptr) {
    auto parent = ConversationOfParent(command.account.id, item.action.target_platform_id, pending);
    PARLEY_TRY(parent);
    conversation = *parent;
  }
  if (conversation == nullptr && !item.action.recipient_platform_user_id.empty()) {
    domain::Author recipient;
    recipient.platform_user_id = item.action.recipient_platform_user_id;
    auto customer = CustomerFor(message.channel, recipient, item.created_at, pending);
    PARLEY_TRY(customer);
    message.customer_id = (*customer)->id;
    auto open = OpenConversationOf((*customer)->id, pending);
    PARLEY_TRY(open);
    conversation = *open;
  }
  if (conversation != nullptr) {
    message.conversation_id = conversation->id;
    message.customer_id = conversation->customer_id;
  }
  return message;
}

core::Result<Outcome> Engine::Confirm(domain::OutboxId outbox, domain::Message mine,
                                      const std::string& platform_id, domain::DeliveryStatus status,
                                      domain::Timestamp at, Pending& pending) {
  const bool was_sent = mine.delivery != domain::DeliveryStatus::kQueued &&
                        mine.delivery != domain::DeliveryStatus::kUnconfirmed;
  if (mine.delivery != status && domain::CanTransition(mine.delivery, status)) {
    PARLEY_TRY(domain::Transition(mine.delivery, status));
  }
  if (!platform_id.empty()) mine.platform_message_id = platform_id;
  mine.published_at = at;
  mine.delivery_error.clear();
  if (!was_sent && status != domain::DeliveryStatus::kFailed && mine.conversation_id) {
    auto conversation = LoadConversation(mine.conversation_id, pending);
    PARLEY_TRY(conversation);
    if ((*conversation)->status != domain::ConversationStatus::kClosed) {
      PARLEY_TRY(domain::RecordMessage(**conversation, mine.channel, mine.direction, at));
      PARLEY_TRY(RouteAnswer(**conversation, mine.agent_id, pending));
    }
  }
  awaiting_.erase(outbox);
  pending.confirmed.emplace_back(outbox, platform_id);
  Outcome outcome{OutcomeKind::kUpdated, mine.id, mine.conversation_id, false};
  Stage(pending, std::move(mine));
  return outcome;
}

core::Result<std::optional<Outcome>> Engine::AdoptEcho(const domain::Message& echo,
                                                       domain::OutboxId tagged,
                                                       domain::Conversation* conversation,
                                                       Pending& pending) {
  // The echo names its outbox item (Messenger's metadata), or it is matched by what it says:
  // same account, same conversation, same text, same parent.
  std::vector<std::pair<domain::OutboxId, Awaiting>> candidates;
  if (tagged.valid()) {
    if (auto found = awaiting_.find(tagged); found != awaiting_.end()) {
      candidates.emplace_back(*found);
    }
  } else if (conversation != nullptr) {
    for (const auto& entry : awaiting_) {
      if (entry.second.conversation == conversation->id) candidates.push_back(entry);
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  for (const auto& [outbox, awaiting] : candidates) {
    auto candidate = LoadMessage(awaiting.message, pending);
    PARLEY_TRY(candidate);
    if (!candidate->has_value()) continue;
    domain::Message mine = std::move(**candidate);
    const bool matches =
        tagged.valid() ||
        (mine.channel_account_id == echo.channel_account_id &&
         Trimmed(mine.text) == Trimmed(echo.text) &&
         (mine.in_reply_to_platform_id.empty() || echo.in_reply_to_platform_id.empty() ||
          mine.in_reply_to_platform_id == echo.in_reply_to_platform_id));
    if (!matches) continue;
    mine.platform_thread_id = echo.platform_thread_id;
    mine.raw_payload_id = echo.raw_payload_id;
    auto confirmed = Confirm(outbox, std::move(mine), echo.platform_message_id,
                             domain::DeliveryStatus::kSent, echo.published_at, pending);
    PARLEY_TRY(confirmed);
    return std::optional<Outcome>(*confirmed);
  }
  return std::optional<Outcome>();
}

core::Result<Outcome> Engine::RecordModeration(const OutboundCommand& command, Pending& pending) {
  const auto& item = command.item;
  if (item.state != domain::OutboxState::kSent) {
    return Outcome{OutcomeKind::kRecorded, {}, {}, false};
  }
  auto found = FindMessage(command.account.id, item.action.target_platform_id, pending);
  PARLEY_TRY(found);
  if (!found->has_value()) return Outcome{OutcomeKind::kUnknownTarget, {}, {}, false};
  domain::Message message = std::move(**found);
  switch (item.action.kind) {
    case domain::OutboundKind::kHide:
      message.hidden = true;
      break;
    case domain::OutboundKind::kUnhide:
      message.hidden = false;
      break;
    case domain::OutboundKind::kDelete:
      if (!message.deleted_at) message.deleted_at = item.finished_at.value_or(clock_.Now());
      break;
    default:
      return Outcome{OutcomeKind::kRecorded, message.id, message.conversation_id, false};
  }
  Outcome outcome{OutcomeKind::kUpdated, message.id, message.conversation_id, false};
  Stage(pending, std::move(message));
  return outcome;
}

// --- Distribution (C3) ---

namespace {

using domain::ConversationStatus;

constexpr int kRestorePage = 500;

// What the router needs of a conversation; `message`, when given, is the customer's message that
// opens (or reopens) it, whose channel, privacy and time count.
routing::Arrival ArrivalOf(const routing::Router& router, domain::TeamId default_team,
                           const domain::Conversation& c, const domain::Message* message) {
  routing::Arrival a;
  a.conversation = c.id;
  a.customer = c.customer_id;
  for (const auto team : {c.team_id, default_team}) {
    if (team && router.FindTeam(team) != nullptr) {
      a.team = team;
      break;
    }
  }
  a.channel = c.channels.empty() ? domain::ChannelKind::kX : c.channels.back();
  a.private_channel = c.private_thread;
  a.language = c.language;
  a.topic = c.category;
  a.priority = c.priority;
  a.tier = c.tier;
  a.opened_at = c.reopened_at.value_or(c.opened_at);
  a.version = c.version;
  if (message != nullptr) {
    a.channel = message->channel;
    a.private_channel = message->visibility == domain::Visibility::kPrivate;
    if (a.language.empty()) a.language = message->language;
    a.opened_at = message->published_at;
  }
  return a;
}

std::optional<domain::Timestamp> DueIfRunning(const routing::SlaClock& clock) {
  return clock.running ? clock.due : std::nullopt;
}

}  // namespace

std::optional<domain::Timestamp> Engine::NextWake() const {
  if (!routing_loaded_) return clock_.Now();
  if (router_ == nullptr) return routing_retry_at_;
  return router_->NextTimer();
}

void Engine::EnsureRouter(Pending& pending) {
  const auto now = clock_.Now();
  if (routing_loaded_ && !(routing_retry_at_ && now >= *routing_retry_at_)) return;
  routing_loaded_ = true;
  routing_retry_at_.reset();
  router_.reset();
  routing_problem_.clear();
  // Routing never stops the workspace's messages: what cannot be loaded is said, and tried again.
  auto loaded = LoadRouter(now);
  if (!loaded.ok()) {
    router_.reset();
    routing_problem_ =
        "routing could not be loaded (tried again in 5 s): " + loaded.error().message;
    routing_retry_at_ = now + std::chrono::seconds(5);
    return;
  }
  CollectRouting(pending);
}

core::Status Engine::LoadRouter(domain::Timestamp now) {
  PARLEY_ASSIGN_OR_RETURN(const auto stored,
                          storage::Get<domain::Workspace>(store_, workspace_.id));
  default_team_ = stored ? stored->default_team_id : workspace_.default_team_id;
  routing::RouterConfig config;
  PARLEY_ASSIGN_OR_RETURN(config.teams, storage::ListAll<domain::Team>(store_, workspace_.id));
  if (config.teams.empty()) return core::Ok();  // routing is off
  PARLEY_ASSIGN_OR_RETURN(config.agents, storage::ListAll<domain::Agent>(store_, workspace_.id));
  PARLEY_ASSIGN_OR_RETURN(config.calendars,
                          storage::ListAll<domain::BusinessCalendar>(store_, workspace_.id));
  PARLEY_ASSIGN_OR_RETURN(config.sla_policies,
                          storage::ListAll<domain::SlaPolicy>(store_, workspace_.id));
  auto created = routing::Router::Create(std::move(config), now);
  if (!created.ok()) {
    routing_problem_ = created.error().message;  // the stored set-up is not usable: say so
    return core::Ok();
  }
  router_ = std::move(created).value();
  for (const auto& [agent, count] : connections_) {
    for (int i = 0; i < count && router_->FindAgent(agent) != nullptr; ++i) {
      PARLEY_TRY(router_->Connected(agent, now));
    }
  }
  // The open conversations where they stood: every assignee's work first, then the queues are
  // offered (routing as they were read could give an agent more than their cap).
  storage::ConversationQuery query;
  query.workspace_id = workspace_.id;
  query.statuses = {ConversationStatus::kQueued, ConversationStatus::kAssigned,
                    ConversationStatus::kWaitingOnCustomer};
  query.limit = kRestorePage;
  int skipped = 0;
  std::string first_problem;
  while (true) {
    PARLEY_ASSIGN_OR_RETURN(auto page, store_.QueryConversations(query));
    for (const auto& document : page.documents) {
      auto c = domain::DecodeJson<domain::Conversation>(document);
      core::Status restored = c.ok() ? core::Ok() : core::Status(c.error());
      if (c.ok()) {
        if (c->tier == domain::Tier::kNoise) continue;  // not for an agent (RouteCustomerMessage)
        routing::Standing standing;
        standing.assignee = c->assignee_id;
        standing.waiting_on_customer = c->status == ConversationStatus::kWaitingOnCustomer;
        standing.first_responded = c->first_response_at.has_value();
        standing.last_customer_at = c->last_customer_message_at.value_or(c->opened_at);
        standing.last_agent_reply_at = c->last_agent_message_at;
        restored = router_->Restore(ArrivalOf(*router_, default_team_, *c, nullptr), standing, now);
      }
      if (!restored.ok() && skipped++ == 0) first_problem = restored.error().message;
    }
    if (page.next_cursor.empty()) break;
    query.cursor = page.next_cursor;
  }
  router_->OfferAll(now);
  if (skipped > 0) {
    routing_problem_ =
        std::to_string(skipped) +
        " open conversations could not be restored into routing, the first: " + first_problem;
  }
  return core::Ok();
}

void Engine::CollectRouting(Pending& pending) {
  if (router_ == nullptr) return;
  for (auto& event : router_->TakeEvents()) {
    switch (event.kind) {
      case routing::EventKind::kQueued:
      case routing::EventKind::kAssigned:
      case routing::EventKind::kUnassigned:
      case routing::EventKind::kOverflowed:
        pending.routed.insert(event.conversation);
        break;
      default:
        break;
    }
    pending.events.push_back(std::move(event));
  }
}

core::Status Engine::RouteCustomerMessage(domain::Conversation& conversation,
                                          const domain::Message& message, Pending& pending) {
  if (message.visibility == domain::Visibility::kPrivate) conversation.private_thread = true;
  if (router_ == nullptr || !domain::IsOpen(conversation.status)) return core::Ok();
  const auto now = clock_.Now();
  if (router_->Find(conversation.id) != nullptr) {
    PARLEY_TRY(router_->CustomerWrote(conversation.id, now));
    PARLEY_TRY(router_->Reprioritise(conversation.id, conversation.priority, now));
  } else if (conversation.tier != domain::Tier::kNoise) {
    // Noise (spam, the brand's own posts, reposts) stays out of agents' queues until a message
    // that matters joins it. A conversation opened before (resolved, now reopened) counts its
    // clocks from this message.
    if (conversation.message_count > 1) conversation.reopened_at = message.published_at;
    PARLEY_TRY(router_->Open(ArrivalOf(*router_, default_team_, conversation, &message), now));
  }
  CollectRouting(pending);
  return core::Ok();
}

core::Status Engine::RouteAnswer(const domain::Conversation& conversation, domain::AgentId agent,
                                 Pending& pending) {
  if (router_ == nullptr || router_->Find(conversation.id) == nullptr) return core::Ok();
  if (router_->FindAgent(agent) == nullptr) agent = domain::AgentId();
  PARLEY_TRY(router_->Answered(conversation.id, agent, clock_.Now()));
  CollectRouting(pending);
  return core::Ok();
}

void Engine::SyncRouted(domain::Conversation& c, const routing::RoutedConversation& r) {
  switch (r.phase) {
    case routing::Phase::kQueued:
      c.status = ConversationStatus::kQueued;
      break;
    case routing::Phase::kAssigned:
      c.status = ConversationStatus::kAssigned;
      break;
    case routing::Phase::kWaitingOnCustomer:
      c.status = ConversationStatus::kWaitingOnCustomer;
      break;
  }
  if (c.assignee_id != r.assignee) {
    c.assignee_id = r.assignee;
    if (r.assignee) {
      c.last_assignee_id = r.assignee;
      c.assigned_at = r.assigned_at;
    } else {
      c.assigned_at.reset();
    }
  }
  c.team_id = r.team;
  c.sla.first_response_due = DueIfRunning(r.first_response);
  c.sla.next_response_due = DueIfRunning(r.next_response);
  c.sla.resolution_due = DueIfRunning(r.resolution);
  c.sla.reply_window_closes = DueIfRunning(r.reply_window);
  // The router counts on from the version it was given (opened, restored), so this never goes
  // back; the steps a message took in this batch (RecordMessage's) count as the router's one.
  c.version = r.version;  // one count of changes, so that a stale view is recognised
}

core::Result<Outcome> Engine::Handle(const RoutingCommand& command, Pending& pending) {
  using Kind = RoutingCommand::Kind;
  const auto now = clock_.Now();
  Outcome outcome{OutcomeKind::kRecorded, {}, command.conversation, false};
  auto refuse = [&](core::Error error) {
    outcome.kind = OutcomeKind::kRefused;
    outcome.refusal = std::move(error);
    return outcome;
  };
  if (command.kind == Kind::kLinkCustomers || command.kind == Kind::kUnlinkIdentity) {
    return LinkCustomers(command, pending);
  }
  if (command.kind == Kind::kResolve || command.kind == Kind::kTag) {
    if (!conversations_.contains(command.conversation)) {
      PARLEY_ASSIGN_OR_RETURN(auto stored,
                              storage::Get<domain::Conversation>(store_, command.conversation));
      if (!stored.has_value() || stored->workspace_id != workspace_.id) {
        return refuse(core::MakeError(
            core::ErrorCode::kNotFound,
            "conversation " + command.conversation.ToString() + " is not in this workspace"));
      }
    }
    PARLEY_ASSIGN_OR_RETURN(domain::Conversation * conversation,
                            LoadConversation(command.conversation, pending));
    domain::Conversation& c = *conversation;
    if (command.kind == Kind::kTag) {
      // Tags are a label, not a change an agent must have seen: the version stays.
      std::erase_if(c.tags, [&](const std::string& tag) {
        return std::find(command.remove_tags.begin(), command.remove_tags.end(), tag) !=
               command.remove_tags.end();
      });
      for (const std::string& tag : command.add_tags) {
        if (std::find(c.tags.begin(), c.tags.end(), tag) == c.tags.end()) c.tags.push_back(tag);
      }
      return outcome;
    }
    if (!domain::IsOpen(c.status)) {
      return refuse(core::MakeError(core::ErrorCode::kFailedPrecondition,
                                    "the conversation is " + std::string(ToString(c.status))));
    }
    PARLEY_TRY(domain::MoveConversation(c, ConversationStatus::kResolved, now));
    c.resolution_code = command.note;
    if (router_ != nullptr && router_->Find(c.id) != nullptr) {
      PARLEY_TRY(router_->Resolve(c.id, now));
      CollectRouting(pending);
    }
    return outcome;
  }
  if (command.kind == Kind::kReload) {
    // Queues, assignments and clocks come back from the stored conversations, connections from
    // the engine's count: nothing is lost but what the router alone knew (who declined what).
    router_.reset();
    routing_loaded_ = false;
    EnsureRouter(pending);
    if (!routing_problem_.empty()) {
      return refuse(core::MakeError(core::ErrorCode::kFailedPrecondition, routing_problem_));
    }
    return outcome;
  }
  if (command.kind == Kind::kCheckReply &&
      (router_ == nullptr || router_->Find(command.conversation) == nullptr)) {
    return outcome;  // not routed (routing off, noise, closed): nobody holds it
  }
  if (router_ == nullptr) {
    if (command.kind == Kind::kTick || command.kind == Kind::kConnected ||
        command.kind == Kind::kAgentsNow || command.kind == Kind::kDisconnected ||
        command.kind == Kind::kSetStatus) {
      return outcome;
    }
    return refuse(core::MakeError(
        core::ErrorCode::kFailedPrecondition,
        routing_problem_.empty()
            ? "routing is off in workspace " + workspace_.slug + ": it has no teams"
            : "routing is off in workspace " + workspace_.slug + ": " + routing_problem_));
  }
  core::Status status = core::Ok();
  switch (command.kind) {
    case Kind::kReload:
      break;  // above
    case Kind::kTick:
      router_->Advance(now);
      break;
    case Kind::kCheckReply:
      router_->Advance(now);  // a reassignment due by now happens first
      status = router_->CheckReply(command.conversation, command.agent, command.seen_version);
      break;
    case Kind::kAssign:
      status = router_->Assign(command.conversation, command.agent, now, command.note);
      break;
    case Kind::kPull:
      if (auto pulled = router_->Pull(command.agent, now); pulled.ok()) {
        outcome.conversation_id = *pulled;
      } else {
        status = pulled.error();
      }
      break;
    case Kind::kSetStatus:
      status = router_->SetStatus(command.agent, command.presence, now);
      if (status.ok()) {  // the chosen status outlives a restart
        if (!pending.agents.contains(command.agent)) {
          PARLEY_ASSIGN_OR_RETURN(auto stored, storage::Get<domain::Agent>(store_, command.agent));
          if (stored) pending.agents[command.agent] = std::move(*stored);
        }
        if (auto agent = pending.agents.find(command.agent); agent != pending.agents.end()) {
          agent->second.presence = command.presence;
        }
      }
      break;
    case Kind::kConnected:
      status = router_->Connected(command.agent, now);
      break;
    case Kind::kDisconnected:
      status = router_->Disconnected(command.agent, now);
      break;
    case Kind::kViewing:
      status = router_->Viewing(command.conversation, command.agent, now);
      break;
    case Kind::kAgentsNow:
      router_->Advance(now);  // a grace or a shift that ended by now counts
      for (const auto& [id, state] : router_->agents()) {
        outcome.agents.push_back(
            {id, state.effective, state.status, state.on_shift, state.load, state.connections});
      }
      break;
    case Kind::kTyping:
      status = router_->Typing(command.conversation, command.agent, now);
      break;
    case Kind::kResolve:
    case Kind::kTag:
    case Kind::kLinkCustomers:
    case Kind::kUnlinkIdentity:
      break;  // above
  }
  CollectRouting(pending);
  if (!status.ok()) return refuse(status.error());
  return outcome;
}

}  // namespace parley::engine
