#include "parley/storage/document.h"

#include <cassert>

namespace parley::storage {
namespace {

template <typename T>
Document Basic(const T& value, std::string json) {
  assert(value.id.valid());
  Document doc;
  doc.kind = EntityTraits<T>::kKind;
  doc.id = value.id.value();
  doc.workspace_id = value.workspace_id.value();
  doc.json = std::move(json);
  return doc;
}

template <typename T>
Document Basic(const T& value) {
  return Basic(value, domain::EncodeJson(value));
}

}  // namespace

std::string_view ToString(EntityKind kind) {
  switch (kind) {
    case EntityKind::kWorkspace:
      return "workspace";
    case EntityKind::kChannelAccount:
      return "channel_account";
    case EntityKind::kCustomer:
      return "customer";
    case EntityKind::kConversation:
      return "conversation";
    case EntityKind::kMessage:
      return "message";
    case EntityKind::kAgent:
      return "agent";
    case EntityKind::kTeam:
      return "team";
    case EntityKind::kKeywordTable:
      return "keyword_table";
    case EntityKind::kRule:
      return "rule";
    case EntityKind::kCannedResponse:
      return "canned_response";
    case EntityKind::kSlaPolicy:
      return "sla_policy";
    case EntityKind::kCalendar:
      return "calendar";
    case EntityKind::kSurveyResponse:
      return "survey_response";
    case EntityKind::kNote:
      return "note";
    case EntityKind::kInteraction:
      return "interaction";
    case EntityKind::kUser:
      return "user";
    case EntityKind::kSession:
      return "session";
    case EntityKind::kApiToken:
      return "api_token";
    case EntityKind::kWebhook:
      return "webhook";
    case EntityKind::kWebhookDelivery:
      return "webhook_delivery";
  }
  return "unknown";
}

Document ToDocument(const domain::Workspace& value) {
  assert(value.id.valid());
  Document doc;
  doc.kind = EntityKind::kWorkspace;
  doc.id = value.id.value();
  doc.workspace_id = value.id.value();  // a workspace belongs to itself
  doc.json = domain::EncodeJson(value);
  return doc;
}

Document ToDocument(const domain::Customer& value) {
  Document doc = Basic(value, domain::EncodeCustomer(value));
  for (const auto& identity : value.identities) {
    doc.index.identities.emplace_back(static_cast<int>(identity.channel),
                                      identity.platform_user_id);
  }
  return doc;
}

Document ToDocument(const domain::Conversation& value) {
  Document doc = Basic(value, domain::EncodeConversation(value));
  doc.index.status = static_cast<int>(value.status);
  doc.index.priority = value.priority;
  doc.index.team_id = value.team_id.value();
  doc.index.assignee_id = value.assignee_id.value();
  doc.index.customer_id = value.customer_id.value();
  doc.index.updated_at_ms = core::ToMillis(value.updated_at);
  if (auto due = value.sla.Earliest()) doc.index.due_at_ms = core::ToMillis(*due);
  return doc;
}

Document ToDocument(const domain::Message& value) {
  Document doc = Basic(value, domain::EncodeMessage(value));
  doc.index.conversation_id = value.conversation_id.value();
  doc.index.channel_account_id = value.channel_account_id.value();
  doc.index.platform_id = value.platform_message_id;
  doc.index.in_reply_to = value.in_reply_to_platform_id;
  doc.index.published_at_ms = core::ToMillis(value.published_at);
  return doc;
}

Document ToDocument(const domain::ChannelAccount& value) { return Basic(value); }
Document ToDocument(const domain::Agent& value) { return Basic(value); }
Document ToDocument(const domain::Team& value) { return Basic(value); }
Document ToDocument(const domain::KeywordTable& value) { return Basic(value); }
Document ToDocument(const domain::Rule& value) { return Basic(value); }
Document ToDocument(const domain::CannedResponse& value) { return Basic(value); }
Document ToDocument(const domain::SlaPolicy& value) { return Basic(value); }
Document ToDocument(const domain::BusinessCalendar& value) { return Basic(value); }
Document ToDocument(const domain::SurveyResponse& value) { return Basic(value); }
Document ToDocument(const domain::Interaction& value) { return Basic(value); }

Document ToDocument(const domain::Note& value) {
  Document doc = Basic(value);
  doc.index.parent_id = value.conversation_id.value();
  return doc;
}

Document ToDocument(const domain::WebhookSubscription& value) { return Basic(value); }

Document ToDocument(const domain::WebhookDelivery& value) {
  Document doc = Basic(value);
  doc.index.parent_id = value.webhook_id.value();
  return doc;
}

namespace {

// People and their credentials belong to no workspace.
template <typename T>
Document Global(const T& value) {
  assert(value.id.valid());
  Document doc;
  doc.kind = EntityTraits<T>::kKind;
  doc.id = value.id.value();
  doc.json = domain::EncodeJson(value);
  return doc;
}

}  // namespace

Document ToDocument(const domain::User& value) { return Global(value); }
Document ToDocument(const domain::Session& value) { return Global(value); }
Document ToDocument(const domain::ApiToken& value) { return Global(value); }

}  // namespace parley::storage
