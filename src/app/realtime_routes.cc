// GET /api/v1/events: one WebSocket per browser for everything that changes (C6).
//
//   → {"type":"hello","epoch":"…","seq":41}            on connect: where the stream stands
//   → {"type":"event","seq":42,"event":"message.created","workspace_id":"…","data":{…}}
//   → {"type":"resync"}                                 what was missed is no longer held
//   ← {"type":"ping"}  → {"type":"pong","seq":N}
//
// A client that reconnects with ?since=<epoch>.<seq> first gets every event it missed (or a
// resync when the server restarted or they are no longer held), then the live ones; so an agent
// never misses a colleague's reply. ?workspace=ID narrows the stream to one brand (the view).
// Every event is filtered by what the receiver may see.
#include <nlohmann/json.hpp>

#include "parley/app/api.h"
#include "parley/app/application.h"
#include "parley/app/events.h"

namespace parley::app {

using auth::Permission;
using nlohmann::json;

namespace {

// Whether `user` may be told of `event`: its workspace, and for a team-restricted user, a team
// of theirs (an event of no known team is not theirs).
bool MayReceive(const domain::User& user, const Event& event, domain::WorkspaceId view) {
  if (view && event.workspace != view) return false;
  if (!user.team_ids.empty() && !event.team) return false;
  return auth::Authorize(user, Permission::kReadConversations, {event.workspace, {}, event.team})
      .ok();
}

}  // namespace

void AddRealtimeRoutes(Api& api, Application& app) {
  api.AddWebSocket(
      "/api/v1/events", Permission::kReadConversations,
      [&app](const http::HttpRequest& request, const auth::Principal& who,
             std::shared_ptr<http::WebSocketConnection> connection) {
        EventHub& hub = app.events();
        std::optional<std::int64_t> since;
        bool stale_epoch = false;
        if (auto text = request.Query("since")) {
          const auto dot = text->rfind('.');
          auto seq =
              dot == std::string::npos ? std::nullopt : core::ParseIdValue(text->substr(dot + 1));
          if (dot != std::string::npos && text->substr(0, dot) == hub.epoch() && seq) {
            since = *seq;
          } else {
            stale_epoch = true;  // another run of the server, or not ours: reload
          }
        }
        domain::WorkspaceId view;
        if (auto text = request.Query("workspace")) {
          view = core::ParseId<domain::WorkspaceId>(*text).value_or(domain::WorkspaceId(-1));
        }
        const domain::User user = who.user;  // as of the handshake; a reconnect sees changes
        std::weak_ptr<http::WebSocketConnection> weak = connection;
        auto subscription = hub.Subscribe(
            since,
            [weak, user, view](const Event& event) {
              if (!MayReceive(user, event, view)) return;
              if (auto live = weak.lock()) live->Send(event.ToJson());
            },
            [&](const EventHub::Subscription& s) {
              connection->Send(
                  json({{"type", "hello"}, {"epoch", hub.epoch()}, {"seq", s.current}}).dump());
              if (stale_epoch || (since && !s.missed)) {
                connection->Send(R"({"type":"resync"})");
              } else if (s.missed) {
                for (const auto& event : *s.missed) {
                  if (MayReceive(user, event, view)) connection->Send(event.ToJson());
                }
              }
            });
        http::WebSocketHandlers handlers;
        handlers.on_message = [weak, &hub](std::string_view text) {
          auto live = weak.lock();
          if (!live) return;
          const json message = json::parse(text, nullptr, false);
          if (message.is_object() && message.value("type", std::string()) == "ping") {
            live->Send(json({{"type", "pong"}, {"seq", hub.last_seq()}}).dump());
          } else {
            live->Send(R"({"type":"error","message":"send {\"type\":\"ping\"}, or nothing"})");
          }
        };
        handlers.on_close = [&hub, id = subscription.id] { hub.Unsubscribe(id); };
        return handlers;
      });
}

}  // namespace parley::app
