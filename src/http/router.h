// Maps method and path to a handler. Patterns are literal segments, "{name}" segments that
// capture one segment, and a final "*" that captures the rest of the path. Each route has a name
// (its pattern) used as the metrics label, so that ids in paths do not explode label sets.
//
// Thread-safety: add every route before the server starts; Match is then safe from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "parley/http/message.h"

namespace parley::http {

using RouteParams = std::map<std::string, std::string>;
using Handler = std::function<void(HttpRequest& request, const RouteParams& params, Responder)>;
using SyncHandler = std::function<HttpResponse(const HttpRequest& request, const RouteParams&)>;

// One accepted WebSocket connection, as handlers see it.
class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  // Queues a text message; from any thread. Dropped once the connection is closed.
  virtual void Send(std::string text) = 0;
  // Starts a clean close; from any thread.
  virtual void Close() = 0;
};

// What a connection does with what the peer sends, and when it ends. Both run on the
// connection's strand, one at a time.
struct WebSocketHandlers {
  std::function<void(std::string_view text)> on_message;
  std::function<void()> on_close;
};

// Decides an upgrade request: refuse it with an HTTP response, or accept it with handlers. The
// connection may be kept (and written to) by the handlers; messages sent before the handshake
// completes go out right after it.
using WebSocketRoute = std::function<std::variant<HttpResponse, WebSocketHandlers>(
    const HttpRequest& request, const RouteParams& params,
    std::shared_ptr<WebSocketConnection> connection)>;

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

  // A WebSocket endpoint: a GET with "Upgrade: websocket" on `pattern`. Listed by Routes() as GET.
  void AddWebSocket(std::string pattern, WebSocketRoute route);

  RouteMatch Match(std::string_view method, std::string_view path) const;
  // The WebSocket route for the path, or null.
  const WebSocketRoute* MatchWebSocket(std::string_view path, RouteParams& params,
                                       std::string& name) const;

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
  struct SocketRoute {
    Route route;  // handler unused
    WebSocketRoute websocket;
  };
  std::vector<SocketRoute> websocket_routes_;
};

}  // namespace parley::http
