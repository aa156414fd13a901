// JSON forms of the domain values, shared by storage documents and the API so that both speak
// the same names. Ids travel as decimal strings, timestamps as ISO 8601 UTC strings, durations as
// integer milliseconds, enums by their EnumNames. Missing fields take their defaults; unknown
// enum names and wrong types throw nlohmann::json::exception, which callers at a trust boundary
// turn into a 4xx or a dead letter (see DecodeJson below).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "parley/core/result.h"
#include "parley/domain/audit.h"
#include "parley/domain/canned_response.h"
#include "parley/domain/conversation.h"
#include "parley/domain/customer.h"
#include "parley/domain/message.h"
#include "parley/domain/outbound.h"
#include "parley/domain/people.h"
#include "parley/domain/sla.h"
#include "parley/domain/survey.h"
#include "parley/domain/triage_config.h"
#include "parley/domain/user.h"
#include "parley/domain/webhook.h"
#include "parley/domain/workspace.h"

namespace nlohmann {

template <typename Tag>
struct adl_serializer<parley::core::Id<Tag>> {
  static void to_json(json& j, parley::core::Id<Tag> id) {
    if (id.valid()) {
      j = id.ToString();
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, parley::core::Id<Tag>& id) {
    if (j.is_null()) {
      id = {};
    } else if (j.is_number_integer()) {
      id = parley::core::Id<Tag>(j.get<std::int64_t>());
    } else {
      auto parsed = parley::core::ParseIdValue(j.get<std::string>());
      if (!parsed) throw json::other_error::create(501, "not an id: " + j.dump(), &j);
      id = parley::core::Id<Tag>(*parsed);
    }
  }
};

template <>
struct adl_serializer<parley::core::Timestamp> {
  static void to_json(json& j, parley::core::Timestamp t);
  static void from_json(const json& j, parley::core::Timestamp& t);
};

template <>
struct adl_serializer<parley::core::Duration> {
  static void to_json(json& j, parley::core::Duration d) { j = d.count(); }
  static void from_json(const json& j, parley::core::Duration& d) {
    d = parley::core::Duration(j.get<std::int64_t>());
  }
};

template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& value) {
    if (value) {
      j = *value;
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, std::optional<T>& value) {
    if (j.is_null()) {
      value.reset();
    } else {
      value = j.get<T>();
    }
  }
};

}  // namespace nlohmann

namespace parley::domain {

// Enums with an EnumNames table serialise by name.
template <typename E>
requires requires { EnumNames<E>::kNames; }
void to_json(nlohmann::json& j, E value) { j = ToString(value); }

template <typename E>
requires requires { EnumNames<E>::kNames; }
void from_json(const nlohmann::json& j, E& value) {
  const auto& text = j.get_ref<const std::string&>();
  auto parsed = ParseEnum<E>(text);
  if (!parsed) throw nlohmann::json::other_error::create(502, "unknown value '" + text + "'", &j);
  value = *parsed;
}

#define PARLEY_DECLARE_JSON(Type)                     \
  void to_json(nlohmann::json& j, const Type& value); \
  void from_json(const nlohmann::json& j, Type& value)

PARLEY_DECLARE_JSON(Workspace);
PARLEY_DECLARE_JSON(ChannelAccount);
PARLEY_DECLARE_JSON(Identity);
PARLEY_DECLARE_JSON(Customer);
PARLEY_DECLARE_JSON(Metrics);
PARLEY_DECLARE_JSON(Attachment);
PARLEY_DECLARE_JSON(Author);
PARLEY_DECLARE_JSON(Message);
PARLEY_DECLARE_JSON(Interaction);
PARLEY_DECLARE_JSON(Note);
PARLEY_DECLARE_JSON(SlaDeadlines);
PARLEY_DECLARE_JSON(PassedOver);
PARLEY_DECLARE_JSON(Assignment);
PARLEY_DECLARE_JSON(Conversation);
PARLEY_DECLARE_JSON(Skill);
PARLEY_DECLARE_JSON(Agent);
PARLEY_DECLARE_JSON(Team);
PARLEY_DECLARE_JSON(KeywordEntry);
PARLEY_DECLARE_JSON(KeywordTable);
PARLEY_DECLARE_JSON(Condition);
PARLEY_DECLARE_JSON(RuleAction);
PARLEY_DECLARE_JSON(Rule);
PARLEY_DECLARE_JSON(CannedResponse);
PARLEY_DECLARE_JSON(SlaTarget);
PARLEY_DECLARE_JSON(SlaPolicy);
PARLEY_DECLARE_JSON(TimeRange);
PARLEY_DECLARE_JSON(Holiday);
PARLEY_DECLARE_JSON(BusinessCalendar);
PARLEY_DECLARE_JSON(SurveyResponse);
PARLEY_DECLARE_JSON(AuditEvent);
PARLEY_DECLARE_JSON(OutboundAction);
PARLEY_DECLARE_JSON(OutboxItem);
PARLEY_DECLARE_JSON(User);
PARLEY_DECLARE_JSON(Session);
PARLEY_DECLARE_JSON(ApiToken);
PARLEY_DECLARE_JSON(WebhookSubscription);
PARLEY_DECLARE_JSON(WebhookDelivery);

#undef PARLEY_DECLARE_JSON

// Encodes a value as compact JSON text.
template <typename T>
std::string EncodeJson(const T& value) {
  return nlohmann::json(value).dump();
}

// Decodes JSON text into a value; malformed JSON, wrong types and unknown enum names come back as
// kInvalidArgument with the parser's explanation.
template <typename T>
core::Result<T> DecodeJson(std::string_view text) {
  try {
    return nlohmann::json::parse(text).get<T>();
  } catch (const nlohmann::json::exception& e) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, e.what());
  }
}

}  // namespace parley::domain

namespace parley::domain {

// Fast encoders for the documents written once per message on the ingest path. They produce the
// same JSON as EncodeJson (json_codec_test compares them field by field).
std::string EncodeMessage(const Message& message);
std::string EncodeConversation(const Conversation& conversation);
std::string EncodeCustomer(const Customer& customer);

// For configuration read from JSON by hand: `object` must be an object whose keys are all among
// `keys` (a misspelt option silently ignored is worse than an error). Errors start with `where`.
core::Status CheckKnownFields(const nlohmann::json& object, const std::string& where,
                              std::initializer_list<std::string_view> keys);
core::Status CheckKnownFields(const nlohmann::json& object, const std::string& where,
                              const std::vector<std::string_view>& keys);

}  // namespace parley::domain
