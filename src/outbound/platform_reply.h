// What the senders share: a request with the account's bearer token, and the reading of what
// came back that does not depend on the platform (no answer, Retry-After, server errors).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "parley/outbound/sender.h"

namespace parley::outbound {

// A JSON request to `url` with "Authorization: Bearer <token>"; an empty method means POST.
http::ClientRequest JsonRequest(std::string method, std::string url, const std::string& token,
                                const nlohmann::json* body);

// The account's credential `name`, or nullopt when it is missing or empty.
std::optional<std::string> Credential(const domain::ChannelAccount& account,
                                      const std::string& name);

// The account's api_base_url (or `fallback`) without a trailing slash.
std::string BaseUrl(const domain::ChannelAccount& account, const char* fallback);

// The result when there is no response at all: unconfirmed if the request may have left,
// otherwise a retry (the platform was unreachable).
SendResult NoResponse(const http::ClientOutcome& outcome);

// How long the response asks us to wait: Retry-After (seconds or an HTTP date), or X's
// x-rate-limit-reset (epoch seconds). nullopt when it does not say.
std::optional<core::Duration> RetryAfter(const http::ClientResponse& response, core::Timestamp now);

// A server-side failure (5xx, or an error the platform calls transient). 503 says the request
// was not taken in, and moderation can be repeated harmlessly: both are retried. Any other
// failure of a message may have come after the message was posted, so it is unconfirmed rather
// than sent again.
SendResult ServerError(const http::ClientResponse& response, std::string reason,
                       domain::OutboundKind kind);

// The body as JSON, or a discarded value when it is not JSON.
nlohmann::json ParseBody(const http::ClientResponse& response);

}  // namespace parley::outbound
