#include <nlohmann/json.hpp>

#include "parley/app/api.h"
#include "parley/app/application.h"
#include "parley/app/routes.h"
#include "parley/core/crypto.h"
#include "parley/core/time.h"
#include "parley/domain/json_codec.h"
#include "parley/telemetry/log.h"

namespace parley::app {

using auth::Permission;
using auth::Principal;
using nlohmann::json;

namespace {

bool IsChange(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

std::string BearerToken(const http::HttpRequest& request) {
  const auto header = request.Header("authorization");
  if (header.size() > 7 && (header.starts_with("Bearer ") || header.starts_with("bearer "))) {
    return std::string(header.substr(7));
  }
  return {};
}

// Over HTTPS the cookie takes the __Host- prefix: only this host, over TLS, on every path.
std::string SessionCookieName(const Application& app) {
  return app.config().server.secure_cookies ? std::string("__Host-") + kSessionCookie
                                            : std::string(kSessionCookie);
}

// Who is calling: a bearer token, else the session cookie; kUnauthenticated when neither.
core::Result<Principal> Authenticate(Application& app, const http::HttpRequest& request) {
  if (auto bearer = BearerToken(request); !bearer.empty()) {
    return app.accounts().AuthenticateToken(bearer);
  }
  const auto cookies = CookieValues(request, SessionCookieName(app));
  if (cookies.size() > 1) {
    // Another site on the same domain may have planted a second one.
    return core::MakeError(core::ErrorCode::kUnauthenticated,
                           "more than one session cookie: log in again");
  }
  if (!cookies.empty()) {
    const std::string* cookie = &cookies.front();
    auto principal = app.accounts().AuthenticateSession(*cookie);
    PARLEY_TRY(principal);
    // A change made with a cookie must carry the session's CSRF token: another site can make
    // the browser send the cookie, but cannot read the token.
    if (IsChange(request.method) &&
        !core::ConstantTimeEquals(request.Header("x-csrf-token"), principal->session->csrf_token)) {
      return core::MakeError(core::ErrorCode::kPermissionDenied,
                             "missing or wrong X-CSRF-Token header (from POST /api/v1/auth/login "
                             "or GET /api/v1/me)");
    }
    return principal;
  }
  return core::MakeError(core::ErrorCode::kUnauthenticated,
                         "log in first (POST /api/v1/auth/login), or send an API token as "
                         "'Authorization: Bearer pk_...'");
}

std::string SessionCookie(const Application& app, const std::string& token,
                          std::int64_t max_age_seconds) {
  return SessionCookieName(app) + "=" + token +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_seconds) +
         (app.config().server.secure_cookies ? "; Secure" : "");
}

// A login posted from another site (login CSRF): refused when the browser says so.
bool CrossSite(const http::HttpRequest& request) {
  if (request.Header("sec-fetch-site") == "cross-site") return true;
  const auto origin = request.Header("origin");
  if (origin.empty()) return false;
  if (origin == "null") return true;
  const auto scheme_end = origin.find("://");
  const auto origin_host =
      scheme_end == std::string_view::npos ? origin : origin.substr(scheme_end + 3);
  return origin_host != request.Header("host");
}

http::HttpResponse NoContent() {
  http::HttpResponse response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

json TokenView(const domain::ApiToken& token) {
  json out = {{"id", token.id.ToString()}, {"name", token.name},
              {"prefix", token.prefix},    {"created_at", core::FormatIso8601(token.created_at)},
              {"last_used_at", nullptr},   {"revoked_at", nullptr}};
  if (token.last_used_at) out["last_used_at"] = core::FormatIso8601(*token.last_used_at);
  if (token.revoked_at) out["revoked_at"] = core::FormatIso8601(*token.revoked_at);
  return out;
}

json DeadLetterView(const storage::RawPayload& payload, bool with_body) {
  json out = {{"id", payload.id.ToString()},
              {"channel", domain::ToString(payload.channel)},
              {"channel_account_id",
               payload.account_id ? json(payload.account_id.ToString()) : json(nullptr)},
              {"source", payload.source},
              {"received_at", core::FormatIso8601(payload.received_at)},
              {"attempts", payload.attempts},
              {"error", payload.error},
              {"size_bytes", payload.body.size()}};
  if (with_body) {
    out["headers"] = json::parse(payload.headers_json, nullptr, false);
    out["body"] = payload.body;
  }
  return out;
}

// An optional positive integer query parameter, within [1, max].
core::Result<std::optional<std::int64_t>> QueryInt(const http::HttpRequest& request,
                                                   std::string_view name, std::int64_t max) {
  auto text = request.Query(name);
  if (!text) return std::optional<std::int64_t>();
  auto value = core::ParseIdValue(*text);
  if (!value || *value > max) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           std::string(name) + ": expected an integer from 1 to " +
                               std::to_string(max) + ", got '" + *text + "'");
  }
  return std::optional<std::int64_t>(*value);
}

}  // namespace

std::vector<std::string> CookieValues(const http::HttpRequest& request, std::string_view name) {
  std::vector<std::string> values;
  std::string_view header = request.Header("cookie");
  while (!header.empty()) {
    auto end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
      values.emplace_back(pair.substr(equals + 1));
    }
  }
  return values;
}

core::Result<json> JsonBody(const http::HttpRequest& request,
                            const std::set<std::string>& allowed) {
  // Only JSON: a cross-site form cannot send it without the browser asking first (CORS).
  if (!request.Header("content-type").starts_with("application/json")) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "send the body as JSON, with Content-Type: application/json");
  }
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, "the body is not valid JSON");
  }
  if (!body.is_object()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, "the body must be a JSON object");
  }
  for (const auto& [key, value] : body.items()) {
    if (!allowed.contains(key)) {
      return core::MakeError(core::ErrorCode::kInvalidArgument, "unknown field '" + key + "'");
    }
  }
  return body;
}

core::Status NoBody(const http::HttpRequest& request) {
  if (request.body.empty()) return core::Ok();
  auto body = JsonBody(request, {});
  if (!body.ok()) return body.error();
  return core::Ok();
}

json UserView(const domain::User& user) {
  json out = {{"id", user.id.ToString()},
              {"email", user.email},
              {"display_name", user.display_name},
              {"role", domain::ToString(user.role)},
              {"workspace_ids", json::array()},
              {"channel_account_ids", json::array()},
              {"team_ids", json::array()},
              {"disabled", user.disabled},
              {"created_at", core::FormatIso8601(user.created_at)}};
  for (auto id : user.workspace_ids) out["workspace_ids"].push_back(id.ToString());
  for (auto id : user.channel_account_ids) out["channel_account_ids"].push_back(id.ToString());
  for (auto id : user.team_ids) out["team_ids"].push_back(id.ToString());
  return out;
}

void Api::Add(std::string method, std::string pattern, Permission permission, ApiHandler handler) {
  routes_.push_back({method, pattern, permission});
  Application& app = app_;
  router_.AddSync(std::move(method), std::move(pattern),
                  [&app, permission, handler = std::move(handler)](
                      const http::HttpRequest& request, const http::RouteParams& params) {
                    auto principal = Authenticate(app, request);
                    if (!principal.ok()) return ErrorFor(principal.error());
                    if (auto allowed = auth::Authorize(principal->user, permission);
                        !allowed.ok()) {
                      return ErrorFor(allowed.error());
                    }
                    return handler(request, params, *principal);
                  });
}

void Api::AddWebSocket(std::string pattern, Permission permission, SocketHandler handler) {
  routes_.push_back({"GET", pattern, permission});
  Application& app = app_;
  router_.AddWebSocket(
      std::move(pattern),
      [&app, permission, handler = std::move(handler)](
          const http::HttpRequest& request, const http::RouteParams&,
          std::shared_ptr<http::WebSocketConnection> connection)
          -> std::variant<http::HttpResponse, http::WebSocketHandlers> {
        if (CrossSite(request)) {
          return http::ErrorResponse(403, "permission_denied",
                                     "a WebSocket must be opened from Parley's own pages");
        }
        auto principal = Authenticate(app, request);
        if (!principal.ok()) return ErrorFor(principal.error());
        if (auto allowed = auth::Authorize(principal->user, permission); !allowed.ok()) {
          return ErrorFor(allowed.error());
        }
        return handler(request, *principal, std::move(connection));
      });
}

void Api::AddPublic(std::string method, std::string pattern, PublicHandler handler) {
  routes_.push_back({method, pattern, std::nullopt});
  router_.AddSync(std::move(method), std::move(pattern), std::move(handler));
}

void AddApiRoutes(Api& api, Application& app) {
  AddResourceRoutes(api, app);
  AddUserRoutes(api, app);
  AddContentRoutes(api, app);
  AddIntegrationRoutes(api, app);
  AddRealtimeRoutes(api, app);

  api.AddPublic("GET", "/api/v1/openapi.json",
                [](const http::HttpRequest&, const http::RouteParams&) {
                  return http::JsonResponse(200, std::string(OpenApiJson()));
                });

  api.AddPublic("POST", "/api/v1/auth/login",
                [&app](const http::HttpRequest& request, const http::RouteParams&) {
                  if (CrossSite(request)) {
                    return http::ErrorResponse(403, "permission_denied",
                                               "a login must come from Parley's own pages");
                  }
                  auto body = JsonBody(request, {"email", "password"});
                  if (!body.ok()) return ErrorFor(body.error());
                  if (!(*body)["email"].is_string() || !(*body)["password"].is_string()) {
                    return http::ErrorResponse(400, "invalid_argument",
                                               "email and password are required strings");
                  }
                  auto login = app.accounts().Login((*body)["email"].get<std::string>(),
                                                    (*body)["password"].get<std::string>(),
                                                    request.remote_address);
                  if (!login.ok()) {
                    telemetry::LogWarn("auth.login_refused", {{"remote", request.remote_address},
                                                              {"reason", login.error().message}});
                    return ErrorFor(login.error());
                  }
                  telemetry::LogInfo("auth.login", {{"user", login->user.id.value()}});
                  auto response = ApiJson(
                      200, {{"user", UserView(login->user)},
                            {"csrf_token", login->session.csrf_token},
                            {"expires_at", core::FormatIso8601(login->session.expires_at)}});
                  const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(
                                           login->session.expires_at - login->session.created_at)
                                           .count();
                  response.headers.emplace_back("Set-Cookie",
                                                SessionCookie(app, login->cookie_token, max_age));
                  return response;
                });

  api.Add("POST", "/api/v1/auth/logout", Permission::kAuthenticated,
          [&app](const http::HttpRequest& request, const http::RouteParams&, const Principal& who) {
            if (auto none = NoBody(request); !none.ok()) return ErrorFor(none.error());
            if (who.session) {
              if (auto status = app.accounts().Logout(*who.session); !status.ok()) {
                return ErrorFor(status.error());
              }
            }
            auto response = NoContent();
            response.headers.emplace_back("Set-Cookie", SessionCookie(app, "", 0));
            return response;
          });

  api.Add("POST", "/api/v1/auth/logout-everywhere", Permission::kAuthenticated,
          [&app](const http::HttpRequest& request, const http::RouteParams&, const Principal& who) {
            if (auto none = NoBody(request); !none.ok()) return ErrorFor(none.error());
            if (auto status = app.accounts().LogoutEverywhere(who.user.id); !status.ok()) {
              return ErrorFor(status.error());
            }
            auto response = NoContent();
            response.headers.emplace_back("Set-Cookie", SessionCookie(app, "", 0));
            return response;
          });

  api.Add("GET", "/api/v1/me", Permission::kAuthenticated,
          [](const http::HttpRequest&, const http::RouteParams&, const Principal& who) {
            json permissions = json::array();
            for (auto p : auth::PermissionsOf(who.user)) permissions.push_back(domain::ToString(p));
            json body = {{"user", UserView(who.user)},
                         {"csrf_token", nullptr},
                         {"permissions", permissions}};
            if (who.session) body["csrf_token"] = who.session->csrf_token;
            return ApiJson(200, body);
          });

  api.Add("GET", "/api/v1/tokens", Permission::kAuthenticated,
          [&app](const http::HttpRequest&, const http::RouteParams&, const Principal& who) {
            auto tokens = app.accounts().ListTokens(who.user.id);
            if (!tokens.ok()) return ErrorFor(tokens.error());
            json items = json::array();
            for (const auto& token : *tokens) items.push_back(TokenView(token));
            return ApiJson(200, {{"items", items}});
          });

  api.Add("POST", "/api/v1/tokens", Permission::kAuthenticated,
          [&app](const http::HttpRequest& request, const http::RouteParams&, const Principal& who) {
            auto body = JsonBody(request, {"name"});
            if (!body.ok()) return ErrorFor(body.error());
            if (!(*body)["name"].is_string()) {
              return http::ErrorResponse(400, "invalid_argument", "name is a required string");
            }
            auto token =
                app.accounts().CreateToken(who.user.id, (*body)["name"].get<std::string>());
            if (!token.ok()) return ErrorFor(token.error());
            return ApiJson(201, {{"token", TokenView(token->token)}, {"secret", token->secret}});
          });

  api.Add("DELETE", "/api/v1/tokens/{id}", Permission::kAuthenticated,
          [&app](const http::HttpRequest&, const http::RouteParams& params, const Principal& who) {
            auto id = core::ParseId<domain::ApiTokenId>(params.at("id"));
            if (!id) return http::ErrorResponse(404, "not_found", "no such token");
            if (auto status = app.accounts().RevokeToken(who.user.id, *id); !status.ok()) {
              return ErrorFor(status.error());
            }
            return NoContent();
          });

  // Dead letters: what was accepted but could not be processed, with the reason (C1.10).
  // A payload whose account is unknown belongs to no workspace a restricted user may see.
  auto scope_of = [&app](const storage::RawPayload& payload) {
    auth::Scope scope;
    if (auto account = app.directory().FindAccount(payload.account_id)) {
      scope.workspace = account->workspace_id;
      scope.channel_account = account->id;
    } else {
      scope.workspace = auth::kNoWorkspace;
    }
    return scope;
  };

  api.Add(
      "GET", "/api/v1/dead-letters", Permission::kManageDeadLetters,
      [&app, scope_of](const http::HttpRequest& request, const http::RouteParams&,
                       const Principal& who) {
        auto after = QueryInt(request, "after", std::numeric_limits<std::int64_t>::max());
        auto limit = QueryInt(request, "limit", 500);
        if (!after.ok()) return ErrorFor(after.error());
        if (!limit.ok()) return ErrorFor(limit.error());
        const int page = static_cast<int>(limit->value_or(50));
        auto letters = app.inbox().ListDeadLetters(domain::RawPayloadId(after->value_or(0)), page);
        if (!letters.ok()) return ErrorFor(letters.error());
        json items = json::array();
        for (const auto& payload : *letters) {
          if (!auth::Authorize(who.user, Permission::kManageDeadLetters, scope_of(payload)).ok()) {
            continue;  // outside the user's restrictions
          }
          items.push_back(DeadLetterView(payload, false));
        }
        json body = {{"items", items}, {"next_after", nullptr}};
        if (static_cast<int>(letters->size()) == page) {
          body["next_after"] = letters->back().id.ToString();
        }
        return ApiJson(200, body);
      });

  // The dead letter named in the path, if the caller may see it.
  auto visible_letter =
      [&app, scope_of](const http::RouteParams& params,
                       const Principal& who) -> core::Result<std::optional<storage::RawPayload>> {
    auto id = core::ParseId<domain::RawPayloadId>(params.at("id"));
    if (!id) return std::optional<storage::RawPayload>();
    auto payload = app.inbox().Get(*id);
    PARLEY_TRY(payload);
    if (!payload->has_value() || (*payload)->state != domain::PayloadState::kDeadLetter ||
        !auth::Authorize(who.user, Permission::kManageDeadLetters, scope_of(**payload)).ok()) {
      return std::optional<storage::RawPayload>();
    }
    return payload;
  };

  api.Add("GET", "/api/v1/dead-letters/{id}", Permission::kManageDeadLetters,
          [visible_letter](const http::HttpRequest&, const http::RouteParams& params,
                           const Principal& who) {
            auto payload = visible_letter(params, who);
            if (!payload.ok()) return ErrorFor(payload.error());
            if (!payload->has_value()) {
              return http::ErrorResponse(404, "not_found", "no such dead letter");
            }
            return ApiJson(200, DeadLetterView(**payload, true));
          });

  api.Add("POST", "/api/v1/dead-letters/{id}/replay", Permission::kManageDeadLetters,
          [&app, visible_letter](const http::HttpRequest& request, const http::RouteParams& params,
                                 const Principal& who) {
            if (auto none = NoBody(request); !none.ok()) return ErrorFor(none.error());
            auto payload = visible_letter(params, who);
            if (!payload.ok()) return ErrorFor(payload.error());
            if (!payload->has_value()) {
              return http::ErrorResponse(404, "not_found", "no such dead letter");
            }
            const auto id = (*payload)->id;
            if (auto status = app.inbox().Replay(id); !status.ok()) return ErrorFor(status.error());
            telemetry::LogInfo("ingest.replayed",
                               {{"payload", id.value()}, {"by", who.user.id.value()}});
            app.processor().Notify();
            return ApiJson(202, {{"id", id.ToString()}, {"state", "pending"}});
          });
}

}  // namespace parley::app
