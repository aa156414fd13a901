#include "parley/channels/generic/generic_parser.h"

#include "parley/channels/json_fields.h"

namespace parley::channels::generic {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

using json::Bad;

// Optional string field; fails when present with another type.
core::Status ReadString(const object& obj, std::string_view key, const std::string& where,
                        std::string& out) {
  element value;
  if (obj[key].get(value) != simdjson::SUCCESS || value.is_null()) return core::Ok();
  std::string_view text;
  if (value.get(text) != simdjson::SUCCESS)
    return Bad(where + "." + std::string(key), "expected a string");
  out = std::string(text);
  return core::Ok();
}

core::Status ReadInt(const object& obj, std::string_view key, const std::string& where,
                     std::int64_t& out) {
  element value;
  if (obj[key].get(value) != simdjson::SUCCESS || value.is_null()) return core::Ok();
  std::int64_t number = 0;
  if (value.get(number) != simdjson::SUCCESS || number < 0) {
    return Bad(where + "." + std::string(key), "expected a non-negative integer");
  }
  out = number;
  return core::Ok();
}

core::Status ReadBool(const object& obj, std::string_view key, const std::string& where,
                      std::optional<bool>& out) {
  element value;
  if (obj[key].get(value) != simdjson::SUCCESS || value.is_null()) return core::Ok();
  bool flag = false;
  if (value.get(flag) != simdjson::SUCCESS)
    return Bad(where + "." + std::string(key), "expected true or false");
  out = flag;
  return core::Ok();
}

core::Result<domain::Timestamp> ReadTime(const object& obj, std::string_view key,
                                         const std::string& where, domain::Timestamp fallback) {
  std::string text;
  PARLEY_TRY(ReadString(obj, key, where, text));
  if (text.empty()) return fallback;
  auto parsed = core::ParseTimestamp(text);
  if (!parsed) {
    return Bad(where + "." + std::string(key), "expected an RFC 3339 time, got '" + text + "'");
  }
  return *parsed;
}

core::Result<domain::InboundEvent> ReadEvent(const element& item, const std::string& where,
                                             const ParseInput& input) {
  object obj;
  if (item.get(obj) != simdjson::SUCCESS) return Bad(where, "expected an object");

  std::string event = "message";
  PARLEY_TRY(ReadString(obj, "event", where, event));
  std::string id;
  PARLEY_TRY(ReadString(obj, "id", where, id));
  if (id.empty()) return Bad(where + ".id", "is required");

  if (event == "delete") {
    auto at = ReadTime(obj, "deleted_at", where, input.received_at);
    PARLEY_TRY(at);
    return domain::InboundEvent(domain::InboundDeletion{id, *at});
  }
  if (event == "edit") {
    std::string text;
    PARLEY_TRY(ReadString(obj, "text", where, text));
    auto at = ReadTime(obj, "edited_at", where, input.received_at);
    PARLEY_TRY(at);
    return domain::InboundEvent(domain::InboundEdit{id, text, *at});
  }
  if (event != "message") {
    return Bad(where + ".event", "must be message, edit or delete; got '" + event + "'");
  }

  domain::Message m;
  m.platform_message_id = id;
  PARLEY_TRY(ReadString(obj, "text", where, m.text));
  PARLEY_TRY(ReadString(obj, "in_reply_to", where, m.in_reply_to_platform_id));
  PARLEY_TRY(ReadString(obj, "thread_id", where, m.platform_thread_id));
  PARLEY_TRY(ReadString(obj, "lang", where, m.language));

  std::string kind = "post";
  PARLEY_TRY(ReadString(obj, "kind", where, kind));
  auto parsed_kind = domain::ParseEnum<domain::MessageKind>(kind);
  if (!parsed_kind) return Bad(where + ".kind", "unknown kind '" + kind + "'");
  m.kind = *parsed_kind;

  std::string direction = "inbound";
  PARLEY_TRY(ReadString(obj, "direction", where, direction));
  auto parsed_direction = domain::ParseEnum<domain::Direction>(direction);
  if (!parsed_direction) return Bad(where + ".direction", "must be inbound or outbound");
  m.direction = *parsed_direction;

  std::optional<bool> is_public;
  PARLEY_TRY(ReadBool(obj, "public", where, is_public));
  m.visibility = is_public
                     ? (*is_public ? domain::Visibility::kPublic : domain::Visibility::kPrivate)
                     : domain::NaturalVisibility(m.kind);

  auto published = ReadTime(obj, "created_at", where, input.received_at);
  PARLEY_TRY(published);
  m.published_at = *published;
  m.received_at = input.received_at;

  element author_element;
  object author;
  if (obj["author"].get(author_element) != simdjson::SUCCESS ||
      author_element.get(author) != simdjson::SUCCESS) {
    return Bad(where + ".author", "is required (an object with at least an id)");
  }
  const std::string author_where = where + ".author";
  PARLEY_TRY(ReadString(author, "id", author_where, m.author.platform_user_id));
  if (m.author.platform_user_id.empty()) return Bad(author_where + ".id", "is required");
  PARLEY_TRY(ReadString(author, "handle", author_where, m.author.handle));
  PARLEY_TRY(ReadString(author, "name", author_where, m.author.display_name));
  PARLEY_TRY(ReadInt(author, "followers", author_where, m.author.followers));
  std::optional<bool> verified;
  PARLEY_TRY(ReadBool(author, "verified", author_where, verified));
  m.author.verified = verified.value_or(false);

  element metrics_element;
  if (obj["metrics"].get(metrics_element) == simdjson::SUCCESS && !metrics_element.is_null()) {
    object metrics;
    if (metrics_element.get(metrics) != simdjson::SUCCESS)
      return Bad(where + ".metrics", "expected an object");
    const std::string metrics_where = where + ".metrics";
    PARLEY_TRY(ReadInt(metrics, "likes", metrics_where, m.metrics.likes));
    PARLEY_TRY(ReadInt(metrics, "reposts", metrics_where, m.metrics.reposts));
    PARLEY_TRY(ReadInt(metrics, "replies", metrics_where, m.metrics.replies));
    PARLEY_TRY(ReadInt(metrics, "quotes", metrics_where, m.metrics.quotes));
    PARLEY_TRY(ReadInt(metrics, "views", metrics_where, m.metrics.views));
  }

  element attachments_element;
  if (obj["attachments"].get(attachments_element) == simdjson::SUCCESS &&
      !attachments_element.is_null()) {
    simdjson::dom::array attachments;
    if (attachments_element.get(attachments) != simdjson::SUCCESS) {
      return Bad(where + ".attachments", "expected an array");
    }
    std::size_t index = 0;
    for (element a : attachments) {
      const std::string a_where = where + ".attachments[" + std::to_string(index++) + "]";
      object attachment;
      if (a.get(attachment) != simdjson::SUCCESS) return Bad(a_where, "expected an object");
      domain::Attachment out;
      PARLEY_TRY(ReadString(attachment, "kind", a_where, out.kind));
      PARLEY_TRY(ReadString(attachment, "url", a_where, out.url));
      PARLEY_TRY(ReadString(attachment, "mime_type", a_where, out.mime_type));
      PARLEY_TRY(ReadString(attachment, "name", a_where, out.name));
      PARLEY_TRY(ReadInt(attachment, "size_bytes", a_where, out.size_bytes));
      if (out.url.empty()) return Bad(a_where + ".url", "is required");
      m.attachments.push_back(std::move(out));
    }
  }
  if (m.text.empty() && m.attachments.empty()) {
    return Bad(where + ".text", "is required unless there are attachments");
  }
  return domain::InboundEvent(domain::InboundMessage{std::move(m)});
}

}  // namespace

core::Result<std::vector<domain::InboundEvent>> GenericParser::Parse(
    const ParseInput& input) const {
  auto parsed = json::ParseBody(input.body);
  PARLEY_TRY(parsed);
  const element root = *parsed;
  std::vector<domain::InboundEvent> events;
  simdjson::dom::array list;
  std::string prefix = "messages";
  if (root.is_object()) {
    element messages;
    if (root["messages"].get(messages) == simdjson::SUCCESS) {
      if (messages.get(list) != simdjson::SUCCESS) return Bad("messages", "expected an array");
    } else {
      auto event = ReadEvent(root, "message", input);
      PARLEY_TRY(event);
      events.push_back(std::move(event).value());
      return events;
    }
  } else if (root.get(list) != simdjson::SUCCESS) {
    return Bad("body", "expected an object or an array of objects");
  }
  std::size_t index = 0;
  for (element item : list) {
    auto event = ReadEvent(item, prefix + "[" + std::to_string(index++) + "]", input);
    PARLEY_TRY(event);
    events.push_back(std::move(event).value());
  }
  if (events.empty()) return Bad("messages", "is empty");
  return events;
}

}  // namespace parley::channels::generic
