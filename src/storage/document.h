// How a domain value is stored: its JSON document plus the few fields that backends index. The
// conversion is written once here, so every backend stores exactly the same thing and only has to
// map documents and index fields to its own tables.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "parley/domain/json_codec.h"

namespace parley::storage {

enum class EntityKind {
  kWorkspace = 1,
  kChannelAccount = 2,
  kCustomer = 3,
  kConversation = 4,
  kMessage = 5,
  kAgent = 6,
  kTeam = 7,
  kKeywordTable = 8,
  kRule = 9,
  kCannedResponse = 10,
  kSlaPolicy = 11,
  kCalendar = 12,
  kSurveyResponse = 13,
  kNote = 14,
  kInteraction = 15,
  kUser = 16,  // global: workspace 0
  kSession = 17,
  kApiToken = 18,
  kWebhook = 19,
  kWebhookDelivery = 20,
};

inline constexpr EntityKind kAllEntityKinds[] = {
    EntityKind::kWorkspace,      EntityKind::kChannelAccount,
    EntityKind::kCustomer,       EntityKind::kConversation,
    EntityKind::kMessage,        EntityKind::kAgent,
    EntityKind::kTeam,           EntityKind::kKeywordTable,
    EntityKind::kRule,           EntityKind::kCannedResponse,
    EntityKind::kSlaPolicy,      EntityKind::kCalendar,
    EntityKind::kSurveyResponse, EntityKind::kNote,
    EntityKind::kInteraction,    EntityKind::kUser,
    EntityKind::kSession,        EntityKind::kApiToken,
    EntityKind::kWebhook,        EntityKind::kWebhookDelivery,
};

std::string_view ToString(EntityKind kind);

// A conversation with no deadline sorts after every conversation with one.
inline constexpr std::int64_t kNoDeadline = std::numeric_limits<std::int64_t>::max();

// The indexed fields. Which are meaningful depends on the kind; the rest stay zero/empty.
struct IndexFields {
  // kMessage
  std::int64_t conversation_id = 0;
  std::int64_t channel_account_id = 0;
  std::string platform_id;
  std::string in_reply_to;  // the platform id of the parent message
  std::int64_t published_at_ms = 0;
  // kConversation
  int status = 0;
  int priority = 0;
  std::int64_t team_id = 0;
  std::int64_t assignee_id = 0;
  std::int64_t customer_id = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t due_at_ms = kNoDeadline;
  // Kinds kept in the shared documents table: what they belong to (a note's conversation, a
  // webhook delivery's subscription), for Store::ListByParent.
  std::int64_t parent_id = 0;
  // kCustomer: (channel, platform user id) of every identity
  std::vector<std::pair<int, std::string>> identities;
  // kCustomer: the writer knows the identities are the ones already stored (a profile refresh):
  // a backend may skip re-checking them. See WriteBatch::PutKnownIdentities.
  bool identities_unchanged = false;
};

struct Document {
  EntityKind kind = EntityKind::kWorkspace;
  std::int64_t id = 0;
  std::int64_t workspace_id = 0;
  std::string json;
  IndexFields index;
};

// Which kind each domain type is stored as, and the id type that names it.
template <typename T>
struct EntityTraits;

#define PARLEY_ENTITY(Type, IdType, Kind)                 \
  template <>                                             \
  struct EntityTraits<domain::Type> {                     \
    using Id = domain::IdType;                            \
    static constexpr EntityKind kKind = EntityKind::Kind; \
  }

PARLEY_ENTITY(Workspace, WorkspaceId, kWorkspace);
PARLEY_ENTITY(ChannelAccount, ChannelAccountId, kChannelAccount);
PARLEY_ENTITY(Customer, CustomerId, kCustomer);
PARLEY_ENTITY(Conversation, ConversationId, kConversation);
PARLEY_ENTITY(Message, MessageId, kMessage);
PARLEY_ENTITY(Agent, AgentId, kAgent);
PARLEY_ENTITY(Team, TeamId, kTeam);
PARLEY_ENTITY(KeywordTable, KeywordTableId, kKeywordTable);
PARLEY_ENTITY(Rule, RuleId, kRule);
PARLEY_ENTITY(CannedResponse, CannedResponseId, kCannedResponse);
PARLEY_ENTITY(SlaPolicy, SlaPolicyId, kSlaPolicy);
PARLEY_ENTITY(BusinessCalendar, CalendarId, kCalendar);
PARLEY_ENTITY(SurveyResponse, SurveyResponseId, kSurveyResponse);
PARLEY_ENTITY(Note, NoteId, kNote);
PARLEY_ENTITY(Interaction, InteractionId, kInteraction);
PARLEY_ENTITY(User, UserId, kUser);
PARLEY_ENTITY(Session, SessionId, kSession);
PARLEY_ENTITY(ApiToken, ApiTokenId, kApiToken);
PARLEY_ENTITY(WebhookSubscription, WebhookId, kWebhook);
PARLEY_ENTITY(WebhookDelivery, WebhookDeliveryId, kWebhookDelivery);

#undef PARLEY_ENTITY

// The document of a value. REQUIRES: value.id is valid (ids are assigned before storing).
Document ToDocument(const domain::Workspace& value);
Document ToDocument(const domain::ChannelAccount& value);
Document ToDocument(const domain::Customer& value);
Document ToDocument(const domain::Conversation& value);
Document ToDocument(const domain::Message& value);
Document ToDocument(const domain::Agent& value);
Document ToDocument(const domain::Team& value);
Document ToDocument(const domain::KeywordTable& value);
Document ToDocument(const domain::Rule& value);
Document ToDocument(const domain::CannedResponse& value);
Document ToDocument(const domain::SlaPolicy& value);
Document ToDocument(const domain::BusinessCalendar& value);
Document ToDocument(const domain::SurveyResponse& value);
Document ToDocument(const domain::Note& value);
Document ToDocument(const domain::Interaction& value);
Document ToDocument(const domain::User& value);
Document ToDocument(const domain::Session& value);
Document ToDocument(const domain::ApiToken& value);
Document ToDocument(const domain::WebhookSubscription& value);
Document ToDocument(const domain::WebhookDelivery& value);

}  // namespace parley::storage
