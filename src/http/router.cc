#include "parley/http/router.h"

namespace parley::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const std::size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return parts;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Route route;
  route.method = std::move(method);
  for (auto part : Split(pattern)) route.segments.emplace_back(part);
  route.pattern = std::move(pattern);
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

void Router::AddWebSocket(std::string pattern, WebSocketRoute route) {
  SocketRoute entry;
  entry.route.method = "GET";
  for (auto part : Split(pattern)) entry.route.segments.emplace_back(part);
  entry.route.pattern = std::move(pattern);
  entry.websocket = std::move(route);
  websocket_routes_.push_back(std::move(entry));
}

const WebSocketRoute* Router::MatchWebSocket(std::string_view path, RouteParams& params,
                                             std::string& name) const {
  const auto parts = Split(path);
  for (const auto& entry : websocket_routes_) {
    RouteParams found;
    if (MatchSegments(entry.route, parts, found)) {
      params = std::move(found);
      name = entry.route.pattern;
      return &entry.websocket;
    }
  }
  return nullptr;
}

void Router::AddSync(std::string method, std::string pattern, SyncHandler handler) {
  Add(std::move(method), std::move(pattern),
      [handler = std::move(handler)](HttpRequest& request, const RouteParams& params,
                                     const Responder& respond) {
        respond(handler(request, params));
      });
}

bool Router::MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                           RouteParams& params) {
  params.clear();
  for (std::size_t i = 0; i < route.segments.size(); ++i) {
    const std::string& segment = route.segments[i];
    if (segment == "*") {
      std::string rest;
      for (std::size_t j = i; j < parts.size(); ++j) {
        if (!rest.empty()) rest += '/';
        rest += parts[j];
      }
      params["*"] = rest;
      return true;
    }
    if (i >= parts.size()) return false;
    if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}') {
      params[segment.substr(1, segment.size() - 2)] = std::string(parts[i]);
    } else if (segment != parts[i]) {
      return false;
    }
  }
  return parts.size() == route.segments.size();
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch match;
  const auto parts = Split(path);
  RouteParams params;
  for (const Route& route : routes_) {
    if (!MatchSegments(route, parts, params)) continue;
    const bool head_as_get = method == "HEAD" && route.method == "GET";
    if (route.method == method || head_as_get) {
      match.handler = &route.handler;
      match.name = route.pattern;
      match.params = std::move(params);
      match.method_not_allowed = false;
      return match;
    }
    // A catch-all ("/*") matches every path; it says nothing about which methods a path allows.
    if (!route.segments.empty() && route.segments.back() == "*") continue;
    match.method_not_allowed = true;
    if (!match.allowed_methods.empty()) match.allowed_methods += ", ";
    match.allowed_methods += route.method;
  }
  return match;
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Route& route : routes_) out.emplace_back(route.method, route.pattern);
  for (const auto& entry : websocket_routes_) out.emplace_back("GET", entry.route.pattern);
  return out;
}

}  // namespace parley::http
