// Outgoing webhooks over the API (docs/webhooks.md): an admin subscribes a URL to a workspace's
// live events, gets the signing secret once, reads the delivery log and redelivers.
#include <nlohmann/json.hpp>
#include <regex>

#include "parley/app/api.h"
#include "parley/app/application.h"
#include "parley/app/routes.h"
#include "parley/core/crypto.h"
#include "parley/core/time.h"
#include "parley/domain/json_codec.h"
#include "parley/http/client.h"
#include "parley/telemetry/log.h"

namespace parley::app {

using auth::Permission;
using auth::Principal;
using nlohmann::json;

namespace {

json WebhookView(const domain::WebhookSubscription& webhook) {
  return {{"id", webhook.id.ToString()},
          {"workspace_id", webhook.workspace_id.ToString()},
          {"url", webhook.url},
          {"events", webhook.events},
          {"description", webhook.description},
          {"enabled", webhook.enabled},
          {"created_at", core::FormatIso8601(webhook.created_at)}};
}

json DeliveryView(const domain::WebhookDelivery& delivery) {
  return {{"id", delivery.id.ToString()},
          {"webhook_id", delivery.webhook_id.ToString()},
          {"event", delivery.event},
          {"state", domain::ToString(delivery.state)},
          {"attempts", delivery.attempts},
          {"created_at", core::FormatIso8601(delivery.created_at)},
          {"next_attempt_at", delivery.state == domain::DeliveryState::kQueued
                                  ? json(core::FormatIso8601(delivery.next_attempt_at))
                                  : json(nullptr)},
          {"finished_at",
           delivery.finished_at ? json(core::FormatIso8601(*delivery.finished_at)) : json(nullptr)},
          {"last_status", delivery.last_status},
          {"last_error", delivery.last_error},
          {"last_duration_ms", delivery.last_duration_ms},
          {"body", delivery.body}};
}

// Reads the fields a subscription's owner sets; absent ones keep their value.
core::Status ReadWebhook(const json& body, domain::WebhookSubscription& webhook) {
  if (body.contains("url")) {
    if (!body["url"].is_string()) return Invalid("url: expected a string");
    const std::string url = body["url"].get<std::string>();
    if (url.size() > 2048 || !http::ParseUrl(url).ok()) {
      return Invalid("url: an absolute http:// or https:// URL");
    }
    webhook.url = url;
  }
  if (body.contains("events")) {
    static const std::regex kEvent(R"(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)");
    if (!body["events"].is_array()) return Invalid("events: a list of event types");
    std::vector<std::string> events;
    for (const json& item : body["events"]) {
      if (!item.is_string() || !std::regex_match(item.get<std::string>(), kEvent)) {
        return Invalid(
            "events: each an event type (\"conversation.assigned\"), a family "
            "(\"conversation.*\") or \"*\"");
      }
      events.push_back(item.get<std::string>());
    }
    webhook.events = std::move(events);
  }
  if (body.contains("description")) {
    if (!body["description"].is_string()) return Invalid("description: expected a string");
    webhook.description = body["description"].get<std::string>();
  }
  if (body.contains("enabled")) {
    if (!body["enabled"].is_boolean()) return Invalid("enabled: expected true or false");
    webhook.enabled = body["enabled"].get<bool>();
  }
  return core::Ok();
}

core::Result<std::optional<domain::WebhookSubscription>> VisibleWebhook(
    Application& app, const Principal& who, const std::string& id_text) {
  const auto id = core::ParseId<domain::WebhookId>(id_text);
  if (!id) return std::optional<domain::WebhookSubscription>();
  PARLEY_ASSIGN_OR_RETURN(auto webhook,
                          storage::Get<domain::WebhookSubscription>(app.store(), *id));
  if (!webhook ||
      !auth::Authorize(who.user, Permission::kManageChannels, {webhook->workspace_id, {}, {}})
           .ok()) {
    return std::optional<domain::WebhookSubscription>();
  }
  return webhook;
}

// Stores the subscription (or deletes it) and has the dispatcher read them again.
core::Status SaveWebhooks(Application& app, const storage::WriteBatch& batch) {
  PARLEY_TRY(app.store().Apply(batch));
  return app.webhooks().Reload();
}

const std::set<std::string> kFields = {"url", "events", "description", "enabled"};

}  // namespace

void AddIntegrationRoutes(Api& api, Application& app) {
  api.Add("GET", "/api/v1/workspaces/{id}/webhooks", Permission::kManageChannels,
          [&app](const http::HttpRequest&, const http::RouteParams& params, const Principal& who) {
            auto workspace =
                VisibleWorkspace(app, who, params.at("id"), Permission::kManageChannels);
            if (!workspace.ok()) return ErrorFor(workspace.error());
            if (!workspace->has_value()) return NotFound("workspace");
            auto webhooks =
                storage::ListAll<domain::WebhookSubscription>(app.store(), (*workspace)->id);
            if (!webhooks.ok()) return ErrorFor(webhooks.error());
            json items = json::array();
            for (const auto& webhook : *webhooks) items.push_back(WebhookView(webhook));
            return ApiJson(200, {{"items", items}});
          });

  // The secret is in this answer and never again: the receiver keeps it to check signatures.
  api.Add("POST", "/api/v1/workspaces/{id}/webhooks", Permission::kManageChannels,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body = JsonBody(request, kFields);
            if (!body.ok()) return ErrorFor(body.error());
            auto workspace =
                VisibleWorkspace(app, who, params.at("id"), Permission::kManageChannels);
            if (!workspace.ok()) return ErrorFor(workspace.error());
            if (!workspace->has_value()) return NotFound("workspace");
            if (!body->contains("url")) {
              return http::ErrorResponse(400, "invalid_argument", "url is required");
            }
            domain::WebhookSubscription webhook;
            if (auto read = ReadWebhook(*body, webhook); !read.ok()) return ErrorFor(read.error());
            webhook.id = app.ids().NextId<domain::WebhookId>();
            webhook.workspace_id = (*workspace)->id;
            webhook.secret = "whsec_" + core::RandomHex(32);
            webhook.created_at = app.clock().Now();
            if (auto stored = SaveWebhooks(app, storage::WriteBatch().Put(webhook)); !stored.ok()) {
              return ErrorFor(stored.error());
            }
            telemetry::LogInfo("webhook.created", {{"webhook", webhook.id.value()},
                                                   {"workspace", webhook.workspace_id.value()},
                                                   {"by", who.user.id.value()}});
            json view = WebhookView(webhook);
            view["secret"] = webhook.secret;
            return ApiJson(201, view);
          });

  api.Add("GET", "/api/v1/webhooks/{id}", Permission::kManageChannels,
          [&app](const http::HttpRequest&, const http::RouteParams& params, const Principal& who) {
            auto webhook = VisibleWebhook(app, who, params.at("id"));
            if (!webhook.ok()) return ErrorFor(webhook.error());
            if (!webhook->has_value()) return NotFound("webhook");
            return ApiJson(200, WebhookView(**webhook));
          });

  api.Add("PATCH", "/api/v1/webhooks/{id}", Permission::kManageChannels,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body = JsonBody(request, kFields);
            if (!body.ok()) return ErrorFor(body.error());
            auto webhook = VisibleWebhook(app, who, params.at("id"));
            if (!webhook.ok()) return ErrorFor(webhook.error());
            if (!webhook->has_value()) return NotFound("webhook");
            domain::WebhookSubscription changed = **webhook;
            if (auto read = ReadWebhook(*body, changed); !read.ok()) return ErrorFor(read.error());
            if (auto stored = SaveWebhooks(app, storage::WriteBatch().Put(changed)); !stored.ok()) {
              return ErrorFor(stored.error());
            }
            return ApiJson(200, WebhookView(changed));
          });

  // Its log goes with it; deliveries still queued fail as "deleted".
  api.Add("DELETE", "/api/v1/webhooks/{id}", Permission::kManageChannels,
          [&app](const http::HttpRequest&, const http::RouteParams& params, const Principal& who) {
            auto webhook = VisibleWebhook(app, who, params.at("id"));
            if (!webhook.ok()) return ErrorFor(webhook.error());
            if (!webhook->has_value()) return NotFound("webhook");
            storage::WriteBatch batch;
            batch.Delete(storage::EntityKind::kWebhook, (*webhook)->id.value());
            auto log = app.store().ListByParent(storage::EntityKind::kWebhookDelivery,
                                                (*webhook)->id.value(), 1'000'000,
                                                storage::Store::Order::kOldestFirst);
            if (!log.ok()) return ErrorFor(log.error());
            auto deliveries = storage::DecodeAll<domain::WebhookDelivery>(*log);
            if (!deliveries.ok()) return ErrorFor(deliveries.error());
            for (const auto& delivery : *deliveries) {
              batch.Delete(storage::EntityKind::kWebhookDelivery, delivery.id.value());
            }
            if (auto stored = SaveWebhooks(app, batch); !stored.ok()) {
              return ErrorFor(stored.error());
            }
            http::HttpResponse gone;
            gone.status = 204;
            gone.content_type.clear();
            return gone;
          });

  api.Add("GET", "/api/v1/webhooks/{id}/deliveries", Permission::kManageChannels,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            int limit = 100;
            if (auto text = request.Query("limit")) {
              auto value = core::ParseIdValue(*text);
              if (!value || *value > 1000) {
                return http::ErrorResponse(400, "invalid_argument", "limit: 1 to 1000");
              }
              limit = static_cast<int>(*value);
            }
            auto webhook = VisibleWebhook(app, who, params.at("id"));
            if (!webhook.ok()) return ErrorFor(webhook.error());
            if (!webhook->has_value()) return NotFound("webhook");
            return ChildrenResponse<domain::WebhookDelivery>(
                app.store(), (*webhook)->id.value(), limit, storage::Store::Order::kNewestFirst,
                DeliveryView);
          });

  api.Add("POST", "/api/v1/webhook-deliveries/{id}/redeliver", Permission::kManageChannels,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            if (auto none = NoBody(request); !none.ok()) return ErrorFor(none.error());
            const auto id = core::ParseId<domain::WebhookDeliveryId>(params.at("id"));
            if (!id) return NotFound("delivery");
            auto delivery = storage::Get<domain::WebhookDelivery>(app.store(), *id);
            if (!delivery.ok()) return ErrorFor(delivery.error());
            if (!delivery->has_value() || !auth::Authorize(who.user, Permission::kManageChannels,
                                                           {(*delivery)->workspace_id, {}, {}})
                                               .ok()) {
              return NotFound("delivery");
            }
            auto queued = app.webhooks().Redeliver(*id);
            if (!queued.ok()) return ErrorFor(queued.error());
            return ApiJson(202, DeliveryView(*queued));
          });
}

}  // namespace parley::app
