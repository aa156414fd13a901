// The REST API's front door (/api/v1). Every route is added through Api::Add, which is the one
// place where requests are authenticated (session cookie or bearer token), changes made with a
// cookie are checked for their CSRF token, and the route's permission is checked against the
// caller's role (auth/policy.h). Handlers then narrow by scope with auth::Authorize. The table of
// routes, with the permission each needs, is kept for the OpenAPI check and the role matrix test.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "parley/app/routes.h"
#include "parley/auth/accounts.h"
#include "parley/auth/policy.h"
#include "parley/domain/json_codec.h"
#include "parley/engine/engine.h"
#include "parley/http/router.h"
#include "parley/storage/store.h"

namespace parley::app {

class Application;

struct ApiRouteInfo {
  std::string method;
  std::string pattern;
  std::optional<auth::Permission> permission;  // nullopt: public (login, the OpenAPI document)
};

using ApiHandler = std::function<http::HttpResponse(
    const http::HttpRequest&, const http::RouteParams&, const auth::Principal&)>;
using PublicHandler =
    std::function<http::HttpResponse(const http::HttpRequest&, const http::RouteParams&)>;

class Api {
 public:
  Api(Application& app, http::Router& router) : app_(app), router_(router) {}

  void Add(std::string method, std::string pattern, auth::Permission permission,
           ApiHandler handler);
  void AddPublic(std::string method, std::string pattern, PublicHandler handler);
  // A WebSocket endpoint: the handshake is authenticated (a cookie's handshake must come from
  // this host's pages: no cross-site WebSocket) and checked for `permission` here.
  using SocketHandler =
      std::function<http::WebSocketHandlers(const http::HttpRequest&, const auth::Principal&,
                                            std::shared_ptr<http::WebSocketConnection>)>;
  void AddWebSocket(std::string pattern, auth::Permission permission, SocketHandler handler);

  const std::vector<ApiRouteInfo>& routes() const { return routes_; }

 private:
  Application& app_;
  http::Router& router_;
  std::vector<ApiRouteInfo> routes_;
};

// The session cookie's name (with the __Host- prefix when server.secure_cookies is set).
inline constexpr const char* kSessionCookie = "parley_session";

// The values of a cookie in the request's Cookie header (more than one when one was planted).
std::vector<std::string> CookieValues(const http::HttpRequest& request, std::string_view name);

// kInvalidArgument with `message`: what a handler answers about bad input (a 400).
inline core::Error Invalid(std::string message) {
  return core::MakeError(core::ErrorCode::kInvalidArgument, std::move(message));
}

// The request body as a JSON object with only the named fields; kInvalidArgument (with the
// offending field) for malformed JSON, a non-object or an unknown field.
core::Result<nlohmann::json> JsonBody(const http::HttpRequest& request,
                                      const std::set<std::string>& allowed);

// For an action that takes no input: an empty body, or an empty JSON object; anything else is
// kInvalidArgument, as JsonBody says.
core::Status NoBody(const http::HttpRequest& request);

// A user as the API shows it: never the password hash or the lock-out counters.
nlohmann::json UserView(const domain::User& user);

// Adds every /api/v1 route to `api`.
void AddApiRoutes(Api& api, Application& app);
// GET /api/v1/events: the live events over one WebSocket (realtime_routes.cc).
void AddRealtimeRoutes(Api& api, Application& app);
// Workspaces, channel accounts, conversations, replies (resource_routes.cc).
void AddResourceRoutes(Api& api, Application& app);
// Distribution: take over, assign, resolve, pull (resource_routes.cc).
void AddRoutingRoutes(Api& api, Application& app);
// Users and their roles and restrictions (resource_routes.cc).
void AddUserRoutes(Api& api, Application& app);
// Keyword tables, rules, canned responses, notes, customers and the organisation's teams, agents,
// SLA policies and calendars (content_routes.cc).
void AddContentRoutes(Api& api, Application& app);
// Outgoing webhooks and their delivery log (integration_routes.cc).
void AddIntegrationRoutes(Api& api, Application& app);

// The conversation named by `id_text` if it exists and the caller may act on it with
// `permission`; nullopt otherwise (what a user may not see answers as absent).
core::Result<std::optional<domain::Conversation>> VisibleConversation(Application& app,
                                                                      const auth::Principal& who,
                                                                      const std::string& id_text,
                                                                      auth::Permission permission);
// The workspace named by `id_text` if it exists and the caller may act in it with `permission`;
// nullopt otherwise.
core::Result<std::optional<domain::Workspace>> VisibleWorkspace(Application& app,
                                                                const auth::Principal& who,
                                                                const std::string& id_text,
                                                                auth::Permission permission);
// Appends to the audit log that `who` did `action` to the subject; a failed append is logged, not
// answered (what was done is done).
void Audit(Application& app, const auth::Principal& who, domain::WorkspaceId workspace,
           std::string action, std::string subject_type, std::string subject_id);
// 404 "no such <what>": also the answer for what the caller may not see.
http::HttpResponse NotFound(std::string_view what);
// The user's agent profile in the workspace (the agent with their email), if they have one.
core::Result<std::optional<domain::AgentId>> AgentOfUser(Application& app, const domain::User& user,
                                                         domain::WorkspaceId workspace);
// Runs a routing action on the workspace's engine and waits for its outcome (up to 5 s); a
// refusal comes back as the error (not the assignee, a stale view, nothing to pull).
core::Result<engine::Outcome> RouteNow(Application& app, domain::WorkspaceId workspace,
                                       engine::RoutingCommand command);

// A reply as an agent writes it (POST /api/v1/conversations/{id}/replies).
struct ReplyRequest {
  std::string text;
  bool make_private = false;  // move a public thread to a DM or a private reply
  std::string move_to_email;  // move it to email, to this address
  std::string message_id;     // the customer message answered; empty: the latest
  std::optional<std::int64_t> seen_version;
};
// Puts `who`'s reply to `conversation` (which they may reply to) in the outbox, after the engine
// said they may (only the assignee replies where the workspace routes; not from a stale view).
// kFailedPrecondition when there is nothing to answer or no email account to move to,
// kPermissionDenied for an account they may not use, and the engine's refusals.
core::Result<domain::OutboxItem> QueueReply(Application& app, const auth::Principal& who,
                                            const domain::Conversation& conversation,
                                            const ReplyRequest& request);

// The response for a handler's error, and an API JSON answer.
http::HttpResponse ApiJson(int status, const nlohmann::json& body);

// {"items": [...]}: the stored values of type T that belong to `parent` (a conversation's notes,
// a webhook's deliveries), each shown by `view`.
template <typename T, typename View>
http::HttpResponse ChildrenResponse(storage::Store& store, std::int64_t parent, int limit,
                                    storage::Store::Order order, View view) {
  auto documents = store.ListByParent(storage::EntityTraits<T>::kKind, parent, limit, order);
  if (!documents.ok()) return ErrorFor(documents.error());
  auto values = storage::DecodeAll<T>(*documents);
  if (!values.ok()) return ErrorFor(values.error());
  nlohmann::json items = nlohmann::json::array();
  for (const T& value : *values) items.push_back(view(value));
  return ApiJson(200, {{"items", std::move(items)}});
}

}  // namespace parley::app
