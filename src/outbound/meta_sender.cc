#include "parley/outbound/meta_sender.h"

#include <algorithm>

#include "parley/outbound/platform_reply.h"

namespace parley::outbound {

using domain::ChannelKind;
using domain::OutboundKind;
using nlohmann::json;

namespace {

constexpr const char* kDefaultBase = "https://graph.facebook.com/v21.0";

bool IsRateLimit(std::int64_t code) {
  return code == 4 || code == 17 || code == 32 || code == 613 || (code >= 80001 && code <= 80014) ||
         code == 130429 || code == 131048 || code == 131056;
}

bool IsClosedWindow(std::int64_t code, std::int64_t subcode) {
  return (code == 10 && (subcode == 2018278 || subcode == 2534022)) || code == 551 ||
         code == 131047;
}

// The wait Meta's business-use-case header asks for: {"<id>": [{"estimated_time_to_regain_access":
// minutes, ...}]}.
std::optional<core::Duration> UsageWait(const http::ClientResponse& response) {
  auto header = response.Header("x-business-use-case-usage");
  if (header.empty()) return std::nullopt;
  const json usage = json::parse(header, nullptr, false);
  if (!usage.is_object()) return std::nullopt;
  std::int64_t minutes = 0;
  for (const auto& [id, entries] : usage.items()) {
    if (!entries.is_array()) continue;
    for (const auto& entry : entries) {
      if (!entry.is_object()) continue;
      auto wait = entry.find("estimated_time_to_regain_access");
      if (wait != entry.end() && wait->is_number_integer()) {
        minutes = std::max(minutes, wait->get<std::int64_t>());
      }
    }
  }
  if (minutes <= 0) return std::nullopt;
  return std::chrono::duration_cast<core::Duration>(std::chrono::minutes(minutes));
}

std::string StringField(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::int64_t IntField(const json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto found = object.find(key);
  return found != object.end() && found->is_number_integer() ? found->get<std::int64_t>() : 0;
}

}  // namespace

SendResult ReadGraphResponse(const http::ClientResponse& response, domain::OutboundKind kind,
                             core::Timestamp now) {
  const json body = ParseBody(response);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const json& error = body["error"];
    const std::int64_t code = IntField(error, "code");
    const std::int64_t subcode = IntField(error, "error_subcode");
    std::string reason = StringField(error, "message");
    if (error.contains("error_data") && error["error_data"].is_object()) {
      if (auto details = StringField(error["error_data"], "details"); !details.empty()) {
        reason += (reason.empty() ? "" : ": ") + details;
      }
    }
    reason += " (code " + std::to_string(code) +
              (subcode != 0 ? ", subcode " + std::to_string(subcode) : "") + ")";
    if (response.status == 429 || IsRateLimit(code)) {
      auto wait = RetryAfter(response, now);
      if (!wait) wait = UsageWait(response);
      return SendResult{SendResult::Kind::kRetry, "", "rate_limited", reason, wait};
    }
    if (code == 190 || code == 102 || response.status == 401) {
      return SendResult::Failed("token_expired",
                                "Meta refused the access token (expired or revoked): " + reason);
    }
    if (IsClosedWindow(code, subcode)) return SendResult::Failed("window_closed", reason);
    const bool transient = error.contains("is_transient") && error["is_transient"].is_boolean() &&
                           error["is_transient"].get<bool>();
    if (transient || code == 1 || code == 2 || response.status >= 500) {
      return ServerError(response, reason, kind);
    }
    return SendResult::Failed("rejected", reason);
  }
  if (response.status == 429) {
    return SendResult{SendResult::Kind::kRetry, "", "rate_limited", "Too Many Requests",
                      RetryAfter(response, now)};
  }
  if (response.status >= 500) return ServerError(response, "", kind);
  if (response.status < 200 || response.status >= 300) {
    return SendResult::Failed("rejected", "Meta answered " + std::to_string(response.status) +
                                              " without a readable error");
  }
  // Accepted. Without a readable id it is still on the platform: never a reason to resend.
  if (!body.is_object()) return SendResult::Sent("");
  if (body.contains("success") && body["success"].is_boolean() && !body["success"].get<bool>()) {
    return SendResult::Failed("rejected", "Meta answered success=false");
  }
  for (const char* key : {"message_id", "id"}) {
    if (auto id = StringField(body, key); !id.empty()) return SendResult::Sent(id);
  }
  if (body.contains("messages") && body["messages"].is_array() && !body["messages"].empty()) {
    return SendResult::Sent(StringField(body["messages"][0], "id"));
  }
  return SendResult::Sent("");
}

namespace {

struct GraphCall {
  std::string method = "POST";
  std::string path;
  json body = json::object();
  bool has_body = true;
};

SendResult Unsupported(ChannelKind channel, OutboundKind kind) {
  return SendResult::Failed("unsupported", std::string(domain::ToString(channel)) + " cannot " +
                                               std::string(domain::ToString(kind)));
}

json TextMessage(const domain::OutboxItem& item, bool with_metadata) {
  json message = {{"text", item.action.text}};
  // Messenger returns the metadata in the echo of the message, which ties the echo to the item.
  if (with_metadata) message["metadata"] = domain::OutboxReference(item.id);
  return message;
}

// Facebook pages and Instagram business accounts share most of the Graph shapes.
std::variant<GraphCall, SendResult> PageCall(const domain::OutboxItem& item,
                                             const domain::ChannelAccount& account) {
  const auto& action = item.action;
  const bool facebook = account.kind == ChannelKind::kFacebook;
  const std::string target = http::UrlEncode(action.target_platform_id);
  // Messages go to the page's endpoint (Facebook) or /me (Instagram, see meta_sender.h).
  const std::string self = facebook ? http::UrlEncode(account.platform_account_id) : "me";
  GraphCall call;
  switch (action.kind) {
    case OutboundKind::kReply:
      call.path = "/" + target + (facebook ? "/comments" : "/replies");
      call.body["message"] = action.text;
      return call;
    case OutboundKind::kPrivateReply:
      call.path = "/" + self + "/messages";
      call.body["recipient"] = {{"comment_id", action.target_platform_id}};
      call.body["message"] = TextMessage(item, false);
      return call;
    case OutboundKind::kDirectMessage:
      if (action.recipient_platform_user_id.empty()) {
        return SendResult::Failed("rejected", "a direct message needs the recipient's id");
      }
      call.path = "/" + self + "/messages";
      call.body["recipient"] = {{"id", action.recipient_platform_user_id}};
      if (facebook) call.body["messaging_type"] = "RESPONSE";
      call.body["message"] = TextMessage(item, facebook);
      return call;
    case OutboundKind::kHide:
    case OutboundKind::kUnhide:
      call.path = "/" + target;
      call.body[facebook ? "is_hidden" : "hide"] = action.kind == OutboundKind::kHide;
      return call;
    case OutboundKind::kDelete:
      call.method = "DELETE";
      call.path = "/" + target;
      call.has_body = false;
      return call;
    case OutboundKind::kLike:
      if (!facebook) break;
      call.path = "/" + target + "/likes";
      call.has_body = false;
      return call;
    case OutboundKind::kTemplate:
      break;
  }
  return Unsupported(account.kind, action.kind);
}

std::variant<GraphCall, SendResult> WhatsAppCall(const domain::OutboxItem& item,
                                                 const domain::ChannelAccount& account) {
  const auto& action = item.action;
  if (action.kind != OutboundKind::kReply && action.kind != OutboundKind::kDirectMessage &&
      action.kind != OutboundKind::kTemplate) {
    return Unsupported(account.kind, action.kind);
  }
  if (action.recipient_platform_user_id.empty()) {
    return SendResult::Failed("rejected", "a WhatsApp message needs the recipient's WhatsApp id");
  }
  GraphCall call;
  call.path = "/" + http::UrlEncode(account.platform_account_id) + "/messages";
  call.body = {{"messaging_product", "whatsapp"},
               {"recipient_type", "individual"},
               {"to", action.recipient_platform_user_id}};
  if (action.kind == OutboundKind::kTemplate) {
    if (action.template_name.empty() || action.template_language.empty()) {
      return SendResult::Failed("rejected", "a template needs its name and language");
    }
    json template_ = {{"name", action.template_name},
                      {"language", {{"code", action.template_language}}}};
    if (!action.template_parameters.empty()) {
      json parameters = json::array();
      for (const auto& p : action.template_parameters) {
        parameters.push_back({{"type", "text"}, {"text", p}});
      }
      template_["components"] = json::array({{{"type", "body"}, {"parameters", parameters}}});
    }
    call.body["type"] = "template";
    call.body["template"] = std::move(template_);
  } else {
    call.body["type"] = "text";
    call.body["text"] = {{"preview_url", false}, {"body", action.text}};
  }
  if (action.kind == OutboundKind::kReply && !action.target_platform_id.empty()) {
    call.body["context"] = {{"message_id", action.target_platform_id}};
  }
  // Returned in the status webhooks of this message.
  call.body["biz_opaque_callback_data"] = domain::OutboxReference(item.id);
  return call;
}

}  // namespace

SendResult MetaSender::Send(const domain::OutboxItem& item, const domain::ChannelAccount& account,
                            core::Timestamp now) {
  auto token = Credential(account, "access_token");
  if (!token) {
    return SendResult::Failed(
        "not_configured", "channel account '" + account.name + "' has no credentials.access_token");
  }
  auto planned = account.kind == ChannelKind::kWhatsApp ? WhatsAppCall(item, account)
                                                        : PageCall(item, account);
  if (auto* result = std::get_if<SendResult>(&planned)) return *result;
  auto& call = std::get<GraphCall>(planned);
  const std::string base = BaseUrl(account, kDefaultBase);
  auto outcome = client_.Send(
      JsonRequest(call.method, base + call.path, *token, call.has_body ? &call.body : nullptr));
  if (!outcome.response) return NoResponse(outcome);
  return ReadGraphResponse(*outcome.response, item.action.kind, now);
}

}  // namespace parley::outbound
