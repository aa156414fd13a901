#include "parley/outbound/platform_reply.h"

#include <charconv>

#include "parley/core/time.h"

namespace parley::outbound {

http::ClientRequest JsonRequest(std::string method, std::string url, const std::string& token,
                                const nlohmann::json* body) {
  http::ClientRequest request;
  request.method = method.empty() ? "POST" : std::move(method);
  request.url = std::move(url);
  request.headers.emplace_back("Authorization", "Bearer " + token);
  request.headers.emplace_back("Accept", "application/json");
  if (body != nullptr) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = body->dump();
  }
  return request;
}

std::optional<std::string> Credential(const domain::ChannelAccount& account,
                                      const std::string& name) {
  auto found = account.credentials.find(name);
  if (found == account.credentials.end() || found->second.empty()) return std::nullopt;
  return found->second;
}

std::string BaseUrl(const domain::ChannelAccount& account, const char* fallback) {
  std::string base = account.api_base_url.empty() ? fallback : account.api_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

SendResult NoResponse(const http::ClientOutcome& outcome) {
  SendResult result;
  if (outcome.maybe_delivered) {
    result.kind = SendResult::Kind::kUnconfirmed;
    result.code = "unconfirmed";
    result.reason = "no answer from the platform after the request left (" + outcome.error +
                    "); it may have been sent, so it is not sent again automatically";
  } else {
    result.kind = SendResult::Kind::kRetry;
    result.code = "unreachable";
    result.reason = "the platform could not be reached: " + outcome.error;
  }
  return result;
}

namespace {

std::optional<std::int64_t> ParseInt(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<core::Duration> RetryAfter(const http::ClientResponse& response,
                                         core::Timestamp now) {
  if (auto header = response.Header("retry-after"); !header.empty()) {
    if (auto seconds = ParseInt(header); seconds && *seconds >= 0) {
      return std::chrono::duration_cast<core::Duration>(std::chrono::seconds(*seconds));
    }
    if (auto at = core::ParseHttpDate(header)) {
      return std::max(core::Duration(0), std::chrono::duration_cast<core::Duration>(*at - now));
    }
  }
  if (auto reset = response.Header("x-rate-limit-reset"); !reset.empty()) {
    if (auto epoch = ParseInt(reset)) {
      auto at = core::FromMillis(*epoch * 1000);
      return std::max(core::Duration(0), std::chrono::duration_cast<core::Duration>(at - now));
    }
  }
  return std::nullopt;
}

SendResult ServerError(const http::ClientResponse& response, std::string reason,
                       domain::OutboundKind kind) {
  SendResult result;
  result.reason = "the platform answered " + std::to_string(response.status) +
                  (reason.empty() ? std::string() : ": " + reason);
  if (response.status == 503 || !domain::CarriesMessage(kind)) {
    result.kind = SendResult::Kind::kRetry;
    result.code = "server_error";
  } else {
    result.kind = SendResult::Kind::kUnconfirmed;
    result.code = "unconfirmed";
    result.reason +=
        "; it may have been posted all the same, so it is not sent again "
        "automatically";
  }
  return result;
}

nlohmann::json ParseBody(const http::ClientResponse& response) {
  return nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
}

}  // namespace parley::outbound
