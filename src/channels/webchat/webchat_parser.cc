#include "parley/channels/webchat/webchat_parser.h"

#include <nlohmann/json.hpp>

namespace parley::channels::webchat {
namespace {

core::Error Invalid(std::string message) {
  return core::MakeError(core::ErrorCode::kInvalidArgument, std::move(message));
}

std::string StringField(const nlohmann::json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

bool ValidVisitorKey(std::string_view key) {
  if (key.rfind("visitor:", 0) == 0) {
    const std::string_view token = key.substr(8);
    if (token.size() < 16 || token.size() > 64) return false;
    for (const char c : token) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    return true;
  }
  if (key.rfind("user:", 0) == 0) {
    const std::string_view id = key.substr(5);
    if (id.empty() || id.size() > 128) return false;
    for (const char c : id) {
      if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) return false;
    }
    return true;
  }
  return false;
}

core::Result<std::vector<domain::InboundEvent>> WebChatParser::Parse(
    const ParseInput& input) const {
  const auto body = nlohmann::json::parse(input.body, nullptr, false);
  if (!body.is_object()) return Invalid("a web chat message is a JSON object");
  const std::string visitor = StringField(body, "visitor");
  if (!ValidVisitorKey(visitor)) {
    return Invalid("visitor: \"visitor:<16 to 64 letters, digits, dashes>\" or \"user:<id>\"");
  }
  const std::string client_id = StringField(body, "client_id");
  if (client_id.empty() || client_id.size() > 64) {
    return Invalid("client_id: the widget's id of the message, 1 to 64 characters");
  }
  std::string text = StringField(body, "text");
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Invalid("text: the message is empty");
  }
  if (text.size() > kMaxTextBytes) {
    return Invalid("text: longer than " + std::to_string(kMaxTextBytes) + " bytes");
  }

  domain::Message m;
  m.channel = domain::ChannelKind::kWebChat;
  m.kind = domain::MessageKind::kChat;
  m.direction = domain::Direction::kInbound;
  m.visibility = domain::Visibility::kPrivate;
  m.platform_message_id = visitor + "/" + client_id;
  m.platform_thread_id = visitor;
  m.author.platform_user_id = visitor;
  m.author.handle = visitor;
  m.author.display_name = StringField(body, "name");
  m.author.verified = body.value("verified", false);
  if (m.author.display_name.empty()) {
    m.author.display_name = visitor.rfind("user:", 0) == 0
                                ? visitor.substr(5)
                                : "Visitor " + visitor.substr(8, 4);  // "Visitor 3f9a"
  }
  m.text = std::move(text);
  m.published_at = input.received_at;  // the visitor's clock is not trusted
  m.received_at = input.received_at;
  std::vector<domain::InboundEvent> events;
  events.emplace_back(domain::InboundMessage{std::move(m)});
  return events;
}

}  // namespace parley::channels::webchat
