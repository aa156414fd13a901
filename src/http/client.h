// An HTTP/1.1 client (Boost.Beast, TLS through OpenSSL) for the platform APIs Parley calls. One
// request per connection, a deadline for the whole exchange, the peer's certificate and host name
// verified for https. Values in and out, so senders are tested against local fakes with plain
// http and never see Beast.
//
// Thread-safety: Send may be called from several threads at once.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parley/core/result.h"

namespace parley::http {

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // http://host[:port]/path?query or https://...
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{15'000};  // for the whole exchange
};

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  std::string_view Header(std::string_view name) const;
};

// What came back: a response, or why there is none. `maybe_delivered` tells a failure before
// the request left (nothing to fear from a retry) from one after it started to leave (the
// server may have acted on it): the outbox never repeats the second kind by itself.
struct ClientOutcome {
  std::optional<ClientResponse> response;
  bool maybe_delivered = false;
  std::string error;
};

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;  // path and query, at least "/"
};
// Parses an absolute http(s) URL; kInvalidArgument otherwise.
core::Result<Url> ParseUrl(std::string_view url);

// Percent-encodes a path segment or query value (RFC 3986 unreserved characters stay).
std::string UrlEncode(std::string_view text);

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  ClientOutcome Send(const ClientRequest& request);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::http
