// Maps method and path to a handler. Patterns are literal segments, "{name}" segments that
// capture one segment, and a final "*" that captures the rest of the path. Each route has a name
// (its pattern) used as the metrics label, so that ids in paths do not explode label sets.
//
// Thread-safety: add every route before the server starts; Match is then safe from any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "parley/http/message.h"

namespace parley::http {

using RouteParams = std::map<std::string, std::string>;
using Handler = std::function<void(HttpRequest& request, const RouteParams& params, Responder)>;
using SyncHandler = std::function<HttpResponse(const HttpRequest& request, const RouteParams&)>;

struct RouteMatch {
  const Handler* handler = nullptr;  // null: no route
  std::string name;                  // the pattern, for metrics and logs
  RouteParams params;
  bool method_not_allowed = false;  // the path exists with other methods
  std::string allowed_methods;      // for the Allow header
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler);
  void AddSync(std::string method, std::string pattern, SyncHandler handler);

  RouteMatch Match(std::string_view method, std::string_view path) const;

  // Every (method, pattern) registered, for checking against the OpenAPI document.
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  static bool MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                            RouteParams& params);
  std::vector<Route> routes_;
};

}  // namespace parley::http
