#include "parley/outbound/x_sender.h"

#include "parley/outbound/platform_reply.h"

namespace parley::outbound {

using domain::OutboundKind;
using nlohmann::json;

namespace {

constexpr const char* kDefaultBase = "https://api.x.com";

// X's problem details ({"title", "detail"}) or the older {"errors": [{"message"}]}.
std::string XReason(const json& body) {
  if (!body.is_object()) return {};
  if (auto detail = body.find("detail"); detail != body.end() && detail->is_string()) {
    return detail->get<std::string>();
  }
  if (auto errors = body.find("errors");
      errors != body.end() && errors->is_array() && !errors->empty() && (*errors)[0].is_object()) {
    const auto& first = (*errors)[0];
    for (const char* key : {"message", "detail"}) {
      if (auto m = first.find(key); m != first.end() && m->is_string())
        return m->get<std::string>();
    }
  }
  if (auto title = body.find("title"); title != body.end() && title->is_string()) {
    return title->get<std::string>();
  }
  return {};
}

}  // namespace

SendResult ReadXResponse(const http::ClientResponse& response, const std::string& id_field,
                         domain::OutboundKind kind, core::Timestamp now) {
  const json body = ParseBody(response);
  const std::string reason = XReason(body);
  if (response.status == 429) {
    SendResult result{SendResult::Kind::kRetry, "", "rate_limited",
                      reason.empty() ? "Too Many Requests" : reason, RetryAfter(response, now)};
    return result;
  }
  if (response.status >= 500) return ServerError(response, reason, kind);
  if (response.status == 401) {
    return SendResult::Failed("token_expired", "X refused the access token (expired or revoked): " +
                                                   (reason.empty() ? "Unauthorized" : reason));
  }
  if (response.status == 403 && (reason.find("messages to this user") != std::string::npos ||
                                 reason.find("not allowed to send") != std::string::npos)) {
    return SendResult::Failed("window_closed", reason);
  }
  if (response.status < 200 || response.status >= 300) {
    return SendResult::Failed("rejected", "X answered " + std::to_string(response.status) +
                                              (reason.empty() ? "" : ": " + reason));
  }
  // Accepted. Without a readable id it is still on the platform: never a reason to resend.
  if (!body.is_object() || !body.contains("data") || !body["data"].is_object() ||
      id_field.empty()) {
    return SendResult::Sent("");
  }
  const json& data = body["data"];
  auto id = data.find(id_field);
  if (id == data.end() || !id->is_string() || id->get<std::string>().empty()) {
    return SendResult::Sent("");
  }
  return SendResult::Sent(id->get<std::string>());
}

SendResult XSender::Send(const domain::OutboxItem& item, const domain::ChannelAccount& account,
                         core::Timestamp now) {
  auto token = Credential(account, "access_token");
  if (!token) {
    return SendResult::Failed("not_configured",
                              "channel account '" + account.name +
                                  "' has no credentials.access_token (an OAuth 2.0 user token)");
  }
  const std::string base = BaseUrl(account, kDefaultBase);
  const auto& action = item.action;
  std::string method = "POST";
  std::string path;
  std::string id_field;
  json body = json::object();
  bool has_body = true;
  switch (action.kind) {
    case OutboundKind::kReply:
      path = "/2/tweets";
      body["text"] = action.text;
      if (!action.target_platform_id.empty()) {
        body["reply"] = {{"in_reply_to_tweet_id", action.target_platform_id}};
      }
      id_field = "id";
      break;
    case OutboundKind::kDirectMessage:
    case OutboundKind::kPrivateReply:
      if (action.recipient_platform_user_id.empty()) {
        return SendResult::Failed("rejected", "a direct message needs the recipient's X user id");
      }
      path = "/2/dm_conversations/with/" + http::UrlEncode(action.recipient_platform_user_id) +
             "/messages";
      body["text"] = action.text;
      id_field = "dm_event_id";
      break;
    case OutboundKind::kHide:
    case OutboundKind::kUnhide:
      method = "PUT";
      path = "/2/tweets/" + http::UrlEncode(action.target_platform_id) + "/hidden";
      body["hidden"] = action.kind == OutboundKind::kHide;
      break;
    case OutboundKind::kDelete:
      method = "DELETE";
      path = "/2/tweets/" + http::UrlEncode(action.target_platform_id);
      has_body = false;
      break;
    case OutboundKind::kLike:
      path = "/2/users/" + http::UrlEncode(account.platform_account_id) + "/likes";
      body["tweet_id"] = action.target_platform_id;
      break;
    case OutboundKind::kTemplate:
      return SendResult::Failed("unsupported", "X has no message templates");
  }
  auto outcome = client_.Send(JsonRequest(method, base + path, *token, has_body ? &body : nullptr));
  if (!outcome.response) return NoResponse(outcome);
  return ReadXResponse(*outcome.response, id_field, action.kind, now);
}

}  // namespace parley::outbound
