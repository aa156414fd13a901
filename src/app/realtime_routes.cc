// GET /api/v1/events: one WebSocket per browser for everything that changes (C6).
//
//   → {"type":"hello","epoch":"…","seq":41}            on connect: where the stream stands
//   → {"type":"event","seq":42,"event":"message.created","workspace_id":"…","data":{…}}
//   → {"type":"resync"}                                 what was missed is no longer held
//   ← {"type":"ping"}  → {"type":"pong","seq":N}
//   ← {"type":"presence","status":"away"}                the agent's chosen presence
//   ← {"type":"viewing","conversation_id":"…"}          broadcast as conversation.viewing
//   ← {"type":"typing","conversation_id":"…"}           broadcast as conversation.typing
//   → {"type":"error","message":"…"}                    one of those was refused
//
// The connection is the agent's live presence (C3.1): while a user with an agent profile (an
// agent with their email) has one open, they are connected in that workspace; when the last
// closes, the grace period starts.
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

// The user's agent profiles: (workspace, agent) for every workspace they have one in.
std::vector<std::pair<domain::WorkspaceId, domain::AgentId>> AgentProfiles(
    Application& app, const domain::User& user) {
  std::vector<std::pair<domain::WorkspaceId, domain::AgentId>> out;
  for (const auto& workspace : app.directory().Workspaces()) {
    if (!auth::Authorize(user, Permission::kReadConversations, {workspace.id, {}, {}}).ok()) {
      continue;
    }
    auto agent = AgentOfUser(app, user, workspace.id);
    if (agent.ok() && agent->has_value()) out.emplace_back(workspace.id, **agent);
  }
  return out;
}

// Queues a routing action; a refusal is told to the connection.
void Route(Application& app, domain::WorkspaceId workspace, engine::RoutingCommand command,
           std::weak_ptr<http::WebSocketConnection> weak) {
  engine::EngineThread* engine = app.directory().EngineFor(workspace);
  if (engine == nullptr) return;
  std::vector<engine::Command> commands;
  commands.emplace_back(std::move(command));
  engine->Submit(std::move(commands), [weak](auto outcomes) {
    std::string problem;
    if (!outcomes.ok()) {
      problem = outcomes.error().message;
    } else if (!outcomes->empty() && outcomes->front().refusal) {
      problem = outcomes->front().refusal->message;
    }
    if (problem.empty()) return;
    if (auto live = weak.lock()) {
      live->Send(json({{"type", "error"}, {"message", problem}}).dump());
    }
  });
}

// What a client asks of the router: its presence, what it views and types in.
void HandleRoutingMessage(Application& app, const domain::User& user, const json& message,
                          std::shared_ptr<http::WebSocketConnection> live) {
  using Kind = engine::RoutingCommand::Kind;
  const std::string type = message.value("type", std::string());
  auto refuse = [&](const std::string& why) {
    live->Send(json({{"type", "error"}, {"message", why}}).dump());
  };
  if (type == "presence") {
    const auto status =
        message.contains("status") && message["status"].is_string()
            ? domain::ParseEnum<domain::Presence>(message["status"].get<std::string>())
            : std::nullopt;
    if (!status) return refuse("presence: status is online, away or offline");
    const auto profiles = AgentProfiles(app, user);
    if (profiles.empty()) return refuse("you have no agent profile (an agent with your email)");
    for (const auto& [workspace, agent] : profiles) {
      engine::RoutingCommand command;
      command.kind = Kind::kSetStatus;
      command.agent = agent;
      command.presence = *status;
      Route(app, workspace, std::move(command), live);
    }
    return;
  }
  const std::string id =
      message.contains("conversation_id") && message["conversation_id"].is_string()
          ? message["conversation_id"].get<std::string>()
          : std::string();
  if (id.empty()) return refuse(type + ": conversation_id names the conversation");
  auto conversation =
      VisibleConversation(app, auth::Principal{user, {}, {}}, id, Permission::kReadConversations);
  if (!conversation.ok() || !conversation->has_value()) {
    return refuse(type + ": no such conversation");
  }
  auto agent = AgentOfUser(app, user, (*conversation)->workspace_id);
  if (!agent.ok() || !agent->has_value()) {
    return refuse(type + ": you have no agent profile in this workspace");
  }
  engine::RoutingCommand command;
  command.kind = type == "viewing" ? Kind::kViewing : Kind::kTyping;
  command.conversation = (*conversation)->id;
  command.agent = **agent;
  Route(app, (*conversation)->workspace_id, std::move(command), live);
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
        // The connection is the agent's presence in each workspace they have a profile in.
        const auto profiles = AgentProfiles(app, user);
        for (const auto& [workspace, agent] : profiles) {
          engine::RoutingCommand command;
          command.kind = engine::RoutingCommand::Kind::kConnected;
          command.agent = agent;
          Route(app, workspace, std::move(command), weak);
        }
        http::WebSocketHandlers handlers;
        handlers.on_message = [weak, &hub, &app, user](std::string_view text) {
          auto live = weak.lock();
          if (!live) return;
          const json message = json::parse(text, nullptr, false);
          const std::string type =
              message.is_object() ? message.value("type", std::string()) : std::string();
          if (type == "ping") {
            live->Send(json({{"type", "pong"}, {"seq", hub.last_seq()}}).dump());
          } else if (type == "presence" || type == "viewing" || type == "typing") {
            HandleRoutingMessage(app, user, message, live);
          } else {
            live->Send(R"({"type":"error","message":"send ping, presence, viewing or typing"})");
          }
        };
        handlers.on_close = [&hub, &app, id = subscription.id, profiles] {
          hub.Unsubscribe(id);
          for (const auto& [workspace, agent] : profiles) {
            engine::RoutingCommand command;
            command.kind = engine::RoutingCommand::Kind::kDisconnected;
            command.agent = agent;
            Route(app, workspace, std::move(command), {});
          }
        };
        return handlers;
      });
}

}  // namespace parley::app
