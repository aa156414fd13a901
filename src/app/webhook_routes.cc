#include <nlohmann/json.hpp>

#include "parley/app/application.h"
#include "parley/app/routes.h"
#include "parley/core/crypto.h"
#include "parley/telemetry/log.h"

namespace parley::app {
namespace {

using telemetry::LogWarn;

// The headers kept with a raw payload: what a later replay needs (signatures, content type).
std::string KeptHeaders(const http::HttpRequest& request) {
  nlohmann::json kept = nlohmann::json::object();
  for (const char* name : {"content-type", "user-agent", "x-parley-signature"}) {
    auto value = request.Header(name);
    if (!value.empty()) kept[name] = std::string(value);
  }
  return kept.dump();
}

http::HttpResponse Refuse(int status, std::string_view code, const std::string& reason,
                          const http::HttpRequest& request) {
  LogWarn("webhook.refused", {{"path", request.path},
                              {"status", status},
                              {"reason", reason},
                              {"remote", request.remote_address}});
  return http::ErrorResponse(status, code, reason);
}

// POST /webhooks/generic?account=<platform_account_id>
// X-Parley-Signature: sha256=<hex HMAC-SHA256 of the body with the account's secret>
void HandleGeneric(Application& app, http::HttpRequest& request, http::Responder respond) {
  const auto account_key = request.Query("account");
  if (!account_key || account_key->empty()) {
    return respond(Refuse(400, "invalid_argument",
                          "the query parameter 'account' (the channel account's "
                          "platform_account_id) is required",
                          request));
  }
  auto account =
      app.directory().FindAccountByPlatformId(domain::ChannelKind::kGeneric, *account_key);
  if (!account) {
    return respond(Refuse(403, "permission_denied",
                          "no enabled generic channel account '" + *account_key + "'", request));
  }
  auto secret = account->credentials.find("secret");
  if (secret == account->credentials.end() || secret->second.empty()) {
    return respond(
        Refuse(403, "permission_denied",
               "channel account '" + *account_key + "' has no webhook secret (credentials.secret)",
               request));
  }
  const std::string_view signature = request.Header("x-parley-signature");
  if (signature.empty()) {
    return respond(Refuse(401, "unauthenticated", "missing X-Parley-Signature header", request));
  }
  const std::string expected =
      "sha256=" + core::ToHex(core::HmacSha256(secret->second, request.body));
  if (!core::ConstantTimeEquals(signature, expected)) {
    return respond(
        Refuse(401, "unauthenticated", "X-Parley-Signature does not match the body", request));
  }

  // Check the body now so the sender learns at once what is wrong; it is stored all the same, and
  // the processor keeps it as a dead letter with the same reason.
  std::optional<std::string> invalid;
  if (const auto* parser = app.parsers().Find(domain::ChannelKind::kGeneric)) {
    auto events = parser->Parse({request.body, "{}", *account, app.clock().Now()});
    if (!events.ok()) invalid = events.error().message;
  }

  storage::RawPayload payload;
  payload.channel = domain::ChannelKind::kGeneric;
  payload.account_id = account->id;
  payload.source = "webhook:/webhooks/generic";
  payload.headers_json = KeptHeaders(request);
  payload.body = std::move(request.body);
  payload.received_at = app.clock().Now();
  app.inbox().Append(
      std::move(payload), [respond = std::move(respond), invalid,
                           path = request.path](core::Result<domain::RawPayloadId> id) {
        if (!id.ok()) {
          LogWarn("webhook.not_stored", {{"path", path}, {"error", id.error().ToString()}});
          return respond(http::ErrorResponse(503, "unavailable",
                                             "the payload could not be stored; retry later"));
        }
        if (invalid) {
          LogWarn("webhook.invalid_payload",
                  {{"path", path}, {"payload", id->value()}, {"reason", *invalid}});
          return respond(http::ErrorResponse(400, "invalid_argument", *invalid));
        }
        nlohmann::json body = {{"payload_id", id->ToString()}};
        respond(http::JsonResponse(202, body.dump()));
      });
}

}  // namespace

void AddWebhookRoutes(http::Router& router, RouteContext context) {
  Application& app = context.app;
  router.Add("POST", "/webhooks/generic",
             [&app](http::HttpRequest& request, const http::RouteParams&, http::Responder respond) {
               HandleGeneric(app, request, std::move(respond));
             });
}

}  // namespace parley::app
