#include "parley/domain/json_codec.h"

#include <algorithm>

#include "parley/domain/json_writer.h"

namespace nlohmann {

void adl_serializer<parley::core::Timestamp>::to_json(json& j, parley::core::Timestamp t) {
  j = parley::core::FormatIso8601(t);
}

void adl_serializer<parley::core::Timestamp>::from_json(const json& j, parley::core::Timestamp& t) {
  if (j.is_number_integer()) {
    t = parley::core::FromMillis(j.get<std::int64_t>());
    return;
  }
  const auto& text = j.get_ref<const std::string&>();
  auto parsed = parley::core::ParseTimestamp(text);
  if (!parsed) throw json::other_error::create(503, "not a timestamp: '" + text + "'", &j);
  t = *parsed;
}

}  // namespace nlohmann

namespace parley::domain {

// Like NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT, but out of line so that the codecs are
// compiled once, here, rather than in every file that includes the header.
#define PARLEY_JSON_CODEC(Type, ...)                                                        \
  void to_json(nlohmann::json& nlohmann_json_j, const Type& nlohmann_json_t) {              \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(NLOHMANN_JSON_TO, __VA_ARGS__))                \
  }                                                                                         \
  void from_json(const nlohmann::json& nlohmann_json_j, Type& nlohmann_json_t) {            \
    const Type nlohmann_json_default_obj{};                                                 \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(NLOHMANN_JSON_FROM_WITH_DEFAULT, __VA_ARGS__)) \
  }

PARLEY_JSON_CODEC(Workspace, id, slug, name, time_zone, brand_handles, competitor_handles,
                  default_team_id, created_at, resolution_codes)
PARLEY_JSON_CODEC(ChannelAccount, id, workspace_id, kind, name, platform_account_id, api_base_url,
                  inbound_url, credentials, enabled)
PARLEY_JSON_CODEC(Identity, channel, platform_user_id, handle, display_name, followers, verified)
PARLEY_JSON_CODEC(Customer, id, workspace_id, display_name, identities, key_customer_tier,
                  attributes, first_seen_at, last_contact_at)
PARLEY_JSON_CODEC(Metrics, likes, reposts, replies, quotes, views)
PARLEY_JSON_CODEC(Attachment, kind, url, mime_type, name, size_bytes)
PARLEY_JSON_CODEC(Author, platform_user_id, handle, display_name, followers, verified)
PARLEY_JSON_CODEC(Message, id, workspace_id, conversation_id, channel_account_id, channel, kind,
                  direction, visibility, platform_message_id, platform_thread_id,
                  in_reply_to_platform_id, quoted_platform_id, customer_id, agent_id, user_id,
                  author, recipient_platform_user_id, text, language, sentiment, personal_data,
                  redacted_text, filters, attachments, metrics, tags, published_at, received_at,
                  edited_at, deleted_at, hidden, delivery, delivery_error, raw_payload_id, subject)
PARLEY_JSON_CODEC(Interaction, id, workspace_id, channel_account_id, kind, actor,
                  target_platform_id, value, at)
PARLEY_JSON_CODEC(Note, id, workspace_id, conversation_id, author_id, kind, text, created_at)
PARLEY_JSON_CODEC(SlaDeadlines, first_response_due, next_response_due, resolution_due,
                  reply_window_closes)
PARLEY_JSON_CODEC(PassedOver, agent, why_not)
PARLEY_JSON_CODEC(Assignment, agent, at, reason, passed_over)
PARLEY_JSON_CODEC(Conversation, id, workspace_id, customer_id, status, priority, tier,
                  priority_reasons, category, tags, language, sentiment, team_id, assignee_id,
                  last_assignee_id, assignment_reason, passed_over, assignments, channels, sla,
                  resolution_code, opened_at, updated_at, assigned_at, first_response_at,
                  resolved_at, last_customer_message_at, last_agent_message_at, reopened_at,
                  private_thread, message_count, version)
PARLEY_JSON_CODEC(Skill, kind, value, proficiency)
PARLEY_JSON_CODEC(Agent, id, workspace_id, display_name, initials, email, role, team_ids, skills,
                  max_concurrent, channel_weights, schedule_id, presence)
PARLEY_JSON_CODEC(Team, id, workspace_id, name, leader_id, member_ids, overflow_team_id, max_wait,
                  queue_cap, reassign_after, calendar_id, sla_policy_id, distribution,
                  sticky_window, sticky_wait)
PARLEY_JSON_CODEC(KeywordEntry, pattern, kind, case_sensitive, tags, category, team_id, priority)
PARLEY_JSON_CODEC(KeywordTable, id, workspace_id, name, language, entries, version)
PARLEY_JSON_CODEC(Condition, field, op, values)
PARLEY_JSON_CODEC(RuleAction, kind, argument)
PARLEY_JSON_CODEC(Rule, id, workspace_id, name, order, enabled, conditions, actions,
                  stop_processing)
PARLEY_JSON_CODEC(CannedResponse, id, workspace_id, name, shortcut, language, text, tags,
                  pre_approved)
PARLEY_JSON_CODEC(SlaTarget, metric, channel, tier, target, warn_before)
PARLEY_JSON_CODEC(SlaPolicy, id, workspace_id, name, business_hours, targets)
PARLEY_JSON_CODEC(TimeRange, start_minute, end_minute)
PARLEY_JSON_CODEC(Holiday, date, name)
PARLEY_JSON_CODEC(BusinessCalendar, id, workspace_id, name, time_zone, weekly, holidays)
PARLEY_JSON_CODEC(SurveyResponse, id, workspace_id, conversation_id, customer_id, agent_id, team_id,
                  kind, score, comment, responded_at)
PARLEY_JSON_CODEC(AuditEvent, sequence, workspace_id, at, actor, action, subject_type, subject_id,
                  note, details_json, previous_hash, hash)
PARLEY_JSON_CODEC(OutboundAction, kind, target_platform_id, recipient_platform_user_id, text,
                  template_name, template_language, template_parameters, subject, references)
PARLEY_JSON_CODEC(OutboxItem, id, workspace_id, channel_account_id, conversation_id, message_id,
                  agent_id, user_id, action, state, attempts, created_at, next_attempt_at,
                  finished_at, platform_id, error_code, error)
PARLEY_JSON_CODEC(User, id, email, display_name, role, workspace_ids, channel_account_ids, team_ids,
                  password_hash, disabled, session_generation, created_at)
PARLEY_JSON_CODEC(Session, id, user_id, token_hash, csrf_token, generation, created_at, expires_at,
                  last_seen_at)
PARLEY_JSON_CODEC(ApiToken, id, user_id, name, prefix, token_hash, created_at, last_used_at,
                  revoked_at)
PARLEY_JSON_CODEC(WebhookSubscription, id, workspace_id, url, events, description, secret, enabled,
                  created_at)
PARLEY_JSON_CODEC(WebhookDelivery, id, workspace_id, webhook_id, event, body, state, attempts,
                  created_at, next_attempt_at, finished_at, last_status, last_error,
                  last_duration_ms)

#undef PARLEY_JSON_CODEC

}  // namespace parley::domain

namespace parley::domain {
namespace {

// The fields an Author and an Identity share.
void WritePerson(JsonWriter& w, const std::string& platform_user_id, const std::string& handle,
                 const std::string& display_name, std::int64_t followers, bool verified) {
  w.Key("platform_user_id").String(platform_user_id);
  w.Key("handle").String(handle);
  w.Key("display_name").String(display_name);
  w.Key("followers").Int(followers);
  w.Key("verified").Bool(verified);
}

void WriteStrings(JsonWriter& w, const std::vector<std::string>& values) {
  w.BeginArray();
  for (const auto& value : values) w.String(value);
  w.EndArray();
}

}  // namespace

std::string EncodeMessage(const Message& m) {
  JsonWriter w;
  w.BeginObject();
  w.Key("id").Id(m.id);
  w.Key("workspace_id").Id(m.workspace_id);
  w.Key("conversation_id").Id(m.conversation_id);
  w.Key("channel_account_id").Id(m.channel_account_id);
  w.Key("channel").String(ToString(m.channel));
  w.Key("kind").String(ToString(m.kind));
  w.Key("direction").String(ToString(m.direction));
  w.Key("visibility").String(ToString(m.visibility));
  w.Key("platform_message_id").String(m.platform_message_id);
  w.Key("platform_thread_id").String(m.platform_thread_id);
  w.Key("in_reply_to_platform_id").String(m.in_reply_to_platform_id);
  w.Key("quoted_platform_id").String(m.quoted_platform_id);
  w.Key("customer_id").Id(m.customer_id);
  w.Key("agent_id").Id(m.agent_id);
  w.Key("user_id").Id(m.user_id);
  w.Key("author").BeginObject();
  WritePerson(w, m.author.platform_user_id, m.author.handle, m.author.display_name,
              m.author.followers, m.author.verified);
  w.EndObject();
  w.Key("recipient_platform_user_id").String(m.recipient_platform_user_id);
  w.Key("text").String(m.text);
  w.Key("language").String(m.language);
  w.Key("sentiment").Number(m.sentiment);
  w.Key("personal_data");
  WriteStrings(w, m.personal_data);
  w.Key("redacted_text").String(m.redacted_text);
  w.Key("filters");
  WriteStrings(w, m.filters);
  w.Key("attachments").BeginArray();
  for (const auto& a : m.attachments) {
    w.BeginObject();
    w.Key("kind").String(a.kind);
    w.Key("url").String(a.url);
    w.Key("mime_type").String(a.mime_type);
    w.Key("name").String(a.name);
    w.Key("size_bytes").Int(a.size_bytes);
    w.EndObject();
  }
  w.EndArray();
  w.Key("metrics").BeginObject();
  w.Key("likes").Int(m.metrics.likes);
  w.Key("reposts").Int(m.metrics.reposts);
  w.Key("replies").Int(m.metrics.replies);
  w.Key("quotes").Int(m.metrics.quotes);
  w.Key("views").Int(m.metrics.views);
  w.EndObject();
  w.Key("tags");
  WriteStrings(w, m.tags);
  w.Key("published_at").Time(m.published_at);
  w.Key("received_at").Time(m.received_at);
  w.Key("edited_at").Time(m.edited_at);
  w.Key("deleted_at").Time(m.deleted_at);
  w.Key("hidden").Bool(m.hidden);
  w.Key("delivery").String(ToString(m.delivery));
  w.Key("delivery_error").String(m.delivery_error);
  w.Key("raw_payload_id").Id(m.raw_payload_id);
  w.Key("subject").String(m.subject);
  w.EndObject();
  return w.Take();
}

std::string EncodeCustomer(const Customer& c) {
  JsonWriter w;
  w.BeginObject();
  w.Key("id").Id(c.id);
  w.Key("workspace_id").Id(c.workspace_id);
  w.Key("display_name").String(c.display_name);
  w.Key("identities").BeginArray();
  for (const auto& identity : c.identities) {
    w.BeginObject();
    w.Key("channel").String(ToString(identity.channel));
    WritePerson(w, identity.platform_user_id, identity.handle, identity.display_name,
                identity.followers, identity.verified);
    w.EndObject();
  }
  w.EndArray();
  w.Key("key_customer_tier").String(c.key_customer_tier);
  w.Key("attributes").BeginObject();
  for (const auto& [key, value] : c.attributes) w.Key(key).String(value);
  w.EndObject();
  w.Key("first_seen_at").Time(c.first_seen_at);
  w.Key("last_contact_at").Time(c.last_contact_at);
  w.EndObject();
  return w.Take();
}

std::string EncodeConversation(const Conversation& c) {
  JsonWriter w;
  w.BeginObject();
  w.Key("id").Id(c.id);
  w.Key("workspace_id").Id(c.workspace_id);
  w.Key("customer_id").Id(c.customer_id);
  w.Key("status").String(ToString(c.status));
  w.Key("priority").Int(c.priority);
  w.Key("tier").String(ToString(c.tier));
  w.Key("priority_reasons");
  WriteStrings(w, c.priority_reasons);
  w.Key("category").String(c.category);
  w.Key("tags");
  WriteStrings(w, c.tags);
  w.Key("language").String(c.language);
  w.Key("sentiment").Number(c.sentiment);
  w.Key("team_id").Id(c.team_id);
  w.Key("assignee_id").Id(c.assignee_id);
  w.Key("last_assignee_id").Id(c.last_assignee_id);
  w.Key("assignment_reason").String(c.assignment_reason);
  auto passed_over = [&w](const std::vector<PassedOver>& list) {
    w.BeginArray();
    for (const auto& passed : list) {
      w.BeginObject();
      w.Key("agent").Id(passed.agent);
      w.Key("why_not").String(passed.why_not);
      w.EndObject();
    }
    w.EndArray();
  };
  w.Key("passed_over");
  passed_over(c.passed_over);
  w.Key("assignments").BeginArray();
  for (const auto& assignment : c.assignments) {
    w.BeginObject();
    w.Key("agent").Id(assignment.agent);
    w.Key("at").Time(assignment.at);
    w.Key("reason").String(assignment.reason);
    w.Key("passed_over");
    passed_over(assignment.passed_over);
    w.EndObject();
  }
  w.EndArray();
  w.Key("channels").BeginArray();
  for (auto channel : c.channels) w.String(ToString(channel));
  w.EndArray();
  w.Key("sla").BeginObject();
  w.Key("first_response_due").Time(c.sla.first_response_due);
  w.Key("next_response_due").Time(c.sla.next_response_due);
  w.Key("resolution_due").Time(c.sla.resolution_due);
  w.Key("reply_window_closes").Time(c.sla.reply_window_closes);
  w.EndObject();
  w.Key("resolution_code").String(c.resolution_code);
  w.Key("opened_at").Time(c.opened_at);
  w.Key("updated_at").Time(c.updated_at);
  w.Key("assigned_at").Time(c.assigned_at);
  w.Key("first_response_at").Time(c.first_response_at);
  w.Key("resolved_at").Time(c.resolved_at);
  w.Key("last_customer_message_at").Time(c.last_customer_message_at);
  w.Key("last_agent_message_at").Time(c.last_agent_message_at);
  w.Key("reopened_at").Time(c.reopened_at);
  w.Key("private_thread").Bool(c.private_thread);
  w.Key("message_count").Int(c.message_count);
  w.Key("version").Int(c.version);
  w.EndObject();
  return w.Take();
}

core::Status CheckKnownFields(const nlohmann::json& object, const std::string& where,
                              std::initializer_list<std::string_view> keys) {
  return CheckKnownFields(object, where, std::vector<std::string_view>(keys));
}

core::Status CheckKnownFields(const nlohmann::json& object, const std::string& where,
                              const std::vector<std::string_view>& keys) {
  if (!object.is_object()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, where + ": must be an object");
  }
  for (const auto& [key, value] : object.items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             where + ": unknown field \"" + key + "\"");
    }
  }
  return core::Ok();
}

}  // namespace parley::domain
