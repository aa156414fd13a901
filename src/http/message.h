// HTTP requests and responses as plain values, so that handlers never see Boost.Beast (it stays in
// server.cc) and can be tested without a socket.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::http {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/api/v1/x?y=1"
  std::string path;    // percent-decoded path without the query: "/api/v1/x"
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::map<std::string, std::string> headers;     // names in lower case
  std::string body;
  std::string remote_address;

  // The header's value, or empty.
  std::string_view Header(std::string_view name) const;
  // The first value of a query parameter.
  std::optional<std::string> Query(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// {"error": {"code": "...", "message": "..."}}: the one error shape of every endpoint.
HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message);
HttpResponse JsonResponse(int status, std::string body);
HttpResponse TextResponse(int status, std::string body,
                          std::string content_type = "text/plain; charset=utf-8");

// Completes a request. Call exactly once, from any thread.
using Responder = std::function<void(HttpResponse)>;

// Splits "a=1&b=two%20words" into decoded pairs; '+' means a space.
std::multimap<std::string, std::string> ParseQuery(std::string_view query);
// Decodes %XX escapes; nullopt for a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space = false);

}  // namespace parley::http
