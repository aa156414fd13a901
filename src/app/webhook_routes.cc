#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "parley/app/application.h"
#include "parley/app/routes.h"
#include "parley/channels/meta/meta_parser.h"
#include "parley/channels/x/x_parser.h"
#include "parley/core/crypto.h"
#include "parley/telemetry/log.h"

namespace parley::app {
namespace {

using telemetry::LogWarn;

constexpr domain::ChannelKind kMetaKinds[] = {domain::ChannelKind::kFacebook,
                                              domain::ChannelKind::kInstagram,
                                              domain::ChannelKind::kWhatsApp};

// The headers kept with a raw payload: what a later replay needs (signatures, content type).
std::string KeptHeaders(const http::HttpRequest& request) {
  nlohmann::json kept = nlohmann::json::object();
  for (const char* name : {"content-type", "user-agent", "x-parley-signature",
                           "x-twitter-webhooks-signature", "x-hub-signature-256"}) {
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

// Stores the payload durably, once for each account it is addressed to (Meta batches several
// pages in one delivery; each account's parser reads its own entries), then answers:
// `success_status` once every copy is on disk, 400 with the reason when a parser cannot read it
// (it is kept all the same, and the processor keeps it as a dead letter with that reason), 503
// when it could not be stored. REQUIRES: !accounts.empty().
void StoreAndRespond(Application& app, const std::vector<domain::ChannelAccount>& accounts,
                     http::HttpRequest& request, int success_status, http::Responder respond) {
  struct Shared {
    std::mutex mutex;
    std::size_t outstanding = 0;
    std::vector<std::string> ids;        // GUARDED_BY(mutex)
    std::optional<std::string> failure;  // GUARDED_BY(mutex)
    std::optional<std::string> invalid;
    int success_status = 200;
    std::string path;
    http::Responder respond;
  };
  auto shared = std::make_shared<Shared>();
  shared->outstanding = accounts.size();
  shared->success_status = success_status;
  shared->path = request.path;
  shared->respond = std::move(respond);
  for (const auto& account : accounts) {
    if (const auto* parser = app.parsers().Find(account.kind)) {
      auto events = parser->Parse({request.body, "{}", account, app.clock().Now()});
      if (!events.ok() && !shared->invalid) shared->invalid = events.error().message;
    }
  }
  const std::string headers = KeptHeaders(request);
  for (const auto& account : accounts) {
    storage::RawPayload payload;
    payload.channel = account.kind;
    payload.account_id = account.id;
    payload.source = "webhook:" + request.path;
    payload.headers_json = headers;
    payload.body = request.body;
    payload.received_at = app.clock().Now();
    app.inbox().Append(std::move(payload), [shared](const core::Result<domain::RawPayloadId>& id) {
      std::unique_lock lock(shared->mutex);
      if (id.ok()) {
        shared->ids.push_back(id->ToString());
      } else if (!shared->failure) {
        shared->failure = id.error().ToString();
      }
      if (--shared->outstanding > 0) return;
      lock.unlock();
      if (shared->failure) {
        LogWarn("webhook.not_stored", {{"path", shared->path}, {"error", *shared->failure}});
        return shared->respond(http::ErrorResponse(503, "unavailable",
                                                   "the payload could not be stored; retry later"));
      }
      if (shared->invalid) {
        LogWarn("webhook.invalid_payload", {{"path", shared->path}, {"reason", *shared->invalid}});
        return shared->respond(http::ErrorResponse(400, "invalid_argument", *shared->invalid));
      }
      nlohmann::json body = {{"payload_id", shared->ids.front()}};
      if (shared->ids.size() > 1) body["payload_ids"] = shared->ids;
      shared->respond(http::JsonResponse(shared->success_status, body.dump()));
    });
  }
}

// POST /webhooks/generic?account=<platform_account_id> (JSON) and POST /webhooks/email?account=
// <platform_account_id> (one raw RFC 5322 message, as a mail server's pipe or a relay posts it).
// X-Parley-Signature: sha256=<hex HMAC-SHA256 of the body with the account's secret>
void HandleSigned(Application& app, domain::ChannelKind kind, http::HttpRequest& request,
                  http::Responder respond) {
  const auto account_key = request.Query("account");
  if (!account_key || account_key->empty()) {
    return respond(Refuse(400, "invalid_argument",
                          "the query parameter 'account' (the channel account's "
                          "platform_account_id) is required",
                          request));
  }
  auto account = app.directory().FindAccountByPlatformId(kind, *account_key);
  if (!account) {
    return respond(Refuse(403, "permission_denied",
                          "no enabled " + std::string(domain::ToString(kind)) +
                              " channel account '" + *account_key + "'",
                          request));
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

  StoreAndRespond(app, {*account}, request, 202, std::move(respond));
}

// GET /webhooks/x?crc_token=...[&account=<user id>]: X's challenge-response check.
http::HttpResponse HandleXCrc(Application& app, const http::HttpRequest& request) {
  const auto token = request.Query("crc_token");
  if (!token || token->empty()) {
    return Refuse(400, "invalid_argument", "the query parameter 'crc_token' is required", request);
  }
  // The CRC is signed with the app's consumer secret. One app may serve several accounts; name
  // the account in the webhook URL (?account=<user id>) when several apps are configured.
  std::set<std::string> secrets;
  for (const auto& account : app.directory().AccountsOfKind(domain::ChannelKind::kX)) {
    const auto account_key = request.Query("account");
    if (account_key && account.platform_account_id != *account_key) continue;
    auto secret = account.credentials.find("consumer_secret");
    if (secret != account.credentials.end() && !secret->second.empty()) {
      secrets.insert(secret->second);
    }
  }
  if (secrets.empty()) {
    return Refuse(403, "permission_denied", "no enabled X channel account with a consumer_secret",
                  request);
  }
  if (secrets.size() > 1) {
    return Refuse(400, "invalid_argument",
                  "several X apps are configured: register the webhook URL with "
                  "?account=<the account's user id>",
                  request);
  }
  nlohmann::json body = {
      {"response_token", channels::x::CrcResponseToken(*secrets.begin(), *token)}};
  return http::JsonResponse(200, body.dump());
}

// POST /webhooks/x: an Account Activity or X Activity API delivery, signed with
// x-twitter-webhooks-signature.
void HandleX(Application& app, http::HttpRequest& request, http::Responder respond) {
  const std::string_view signature = request.Header("x-twitter-webhooks-signature");
  if (signature.empty()) {
    return respond(
        Refuse(401, "unauthenticated", "missing x-twitter-webhooks-signature header", request));
  }
  std::string user_id = channels::x::AddressedUserId(request.body);
  if (user_id.empty()) user_id = request.Query("account").value_or("");
  if (user_id.empty()) {
    return respond(Refuse(400, "invalid_argument",
                          "the delivery names no user (for_user_id or data.filter.user_id)",
                          request));
  }
  auto account = app.directory().FindAccountByPlatformId(domain::ChannelKind::kX, user_id);
  if (!account) {
    return respond(Refuse(403, "permission_denied",
                          "no enabled X channel account for user " + user_id, request));
  }
  auto secret = account->credentials.find("consumer_secret");
  if (secret == account->credentials.end() || secret->second.empty()) {
    return respond(Refuse(403, "permission_denied",
                          "X channel account " + user_id + " has no consumer_secret", request));
  }
  if (!channels::x::VerifySignature(secret->second, request.body, signature)) {
    return respond(Refuse(401, "unauthenticated",
                          "x-twitter-webhooks-signature does not match the body", request));
  }
  StoreAndRespond(app, {*account}, request, 200, std::move(respond));
}

// GET /webhooks/meta: the subscription handshake (hub.mode=subscribe, hub.verify_token,
// hub.challenge). The challenge is echoed when the token is a Meta account's verify_token.
http::HttpResponse HandleMetaVerify(Application& app, const http::HttpRequest& request) {
  const auto mode = request.Query("hub.mode");
  const auto token = request.Query("hub.verify_token");
  const auto challenge = request.Query("hub.challenge");
  if (mode != "subscribe" || !token || !challenge) {
    return Refuse(400, "invalid_argument",
                  "expected hub.mode=subscribe with hub.verify_token and hub.challenge", request);
  }
  for (auto kind : kMetaKinds) {
    for (const auto& account : app.directory().AccountsOfKind(kind)) {
      auto expected = account.credentials.find("verify_token");
      if (expected != account.credentials.end() && !expected->second.empty() &&
          core::ConstantTimeEquals(expected->second, *token)) {
        return http::TextResponse(200, *challenge);
      }
    }
  }
  return Refuse(403, "permission_denied", "hub.verify_token matches no Meta channel account",
                request);
}

// POST /webhooks/meta: a Facebook, Instagram or WhatsApp delivery signed with X-Hub-Signature-256.
void HandleMeta(Application& app, http::HttpRequest& request, http::Responder respond) {
  const std::string_view signature = request.Header("x-hub-signature-256");
  if (signature.empty()) {
    return respond(Refuse(401, "unauthenticated", "missing X-Hub-Signature-256 header", request));
  }
  std::vector<domain::ChannelAccount> accounts;
  for (const auto& id : channels::meta::AddressedIds(request.body)) {
    for (auto kind : kMetaKinds) {
      auto account = app.directory().FindAccountByPlatformId(kind, id);
      if (account && std::none_of(accounts.begin(), accounts.end(),
                                  [&](const auto& a) { return a.id == account->id; })) {
        accounts.push_back(*account);
      }
    }
  }
  if (accounts.empty()) {
    return respond(Refuse(403, "permission_denied",
                          "the delivery is addressed to no enabled Meta channel account", request));
  }
  // One app signs the whole delivery: every account it reaches must know that app's secret.
  for (const auto& account : accounts) {
    auto secret = account.credentials.find("app_secret");
    if (secret == account.credentials.end() || secret->second.empty()) {
      return respond(Refuse(403, "permission_denied",
                            "channel account " + account.platform_account_id + " has no app_secret",
                            request));
    }
    if (!channels::meta::VerifySignature(secret->second, request.body, signature)) {
      return respond(
          Refuse(401, "unauthenticated", "X-Hub-Signature-256 does not match the body", request));
    }
  }
  StoreAndRespond(app, accounts, request, 200, std::move(respond));
}

}  // namespace

void AddWebhookRoutes(http::Router& router, RouteContext context) {
  Application& app = context.app;
  router.Add("POST", "/webhooks/generic",
             [&app](http::HttpRequest& request, const http::RouteParams&, http::Responder respond) {
               HandleSigned(app, domain::ChannelKind::kGeneric, request, std::move(respond));
             });
  router.Add("POST", "/webhooks/email",
             [&app](http::HttpRequest& request, const http::RouteParams&, http::Responder respond) {
               HandleSigned(app, domain::ChannelKind::kEmail, request, std::move(respond));
             });
  router.AddSync("GET", "/webhooks/meta",
                 [&app](const http::HttpRequest& request, const http::RouteParams&) {
                   return HandleMetaVerify(app, request);
                 });
  router.Add("POST", "/webhooks/meta",
             [&app](http::HttpRequest& request, const http::RouteParams&, http::Responder respond) {
               HandleMeta(app, request, std::move(respond));
             });
  router.AddSync("GET", "/webhooks/x",
                 [&app](const http::HttpRequest& request, const http::RouteParams&) {
                   return HandleXCrc(app, request);
                 });
  router.Add("POST", "/webhooks/x",
             [&app](http::HttpRequest& request, const http::RouteParams&, http::Responder respond) {
               HandleX(app, request, std::move(respond));
             });
}

}  // namespace parley::app
