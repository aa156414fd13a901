// GET /chat/ws: the web chat widget's WebSocket (PRODUCT.md C1.6; docs/channels/webchat.md).
//
//   ?account=<the web chat account's platform_account_id>
//   &visitor=<the widget's random token>                    an anonymous visitor, or
//   &user_id=<the site's id>&user_hash=<hex HMAC-SHA256(identity_secret, user_id)>&name=<name>
//                                                           a signed-in user the site vouches for
//
//   → {"type":"welcome","visitor":"…","brand":"Acme Help","history":[message…]}
//   ← {"type":"message","client_id":"…","text":"…"}  → {"type":"ack","client_id":"…"} once stored
//   ← {"type":"typing"}                                 agents see conversation.typing
//   → {"type":"message","message":{"id","direction","text","author","at"}}  an agent's answer
//   → {"type":"typing"}                                 an agent is writing
//   ← {"type":"ping"}                                   → {"type":"pong"}
//   → {"type":"error","message":"…"}                    refused, with the reason
//
// A visitor's message is stored in the raw inbox like every channel's payload before it is
// acknowledged, and processed from there (channels/webchat); the history comes from the store.
#include <deque>
#include <nlohmann/json.hpp>

#include "parley/app/application.h"
#include "parley/app/chat.h"
#include "parley/app/routes.h"
#include "parley/channels/webchat/webchat_parser.h"
#include "parley/core/crypto.h"
#include "parley/domain/json_codec.h"
#include "parley/telemetry/log.h"

namespace parley::app {

using nlohmann::json;

std::string ChatHub::Key(domain::WorkspaceId workspace, const std::string& visitor) {
  return workspace.ToString() + "|" + visitor;
}

std::int64_t ChatHub::Add(domain::WorkspaceId workspace, const std::string& visitor,
                          std::weak_ptr<http::WebSocketConnection> window) {
  std::lock_guard lock(mutex_);
  const std::int64_t id = next_id_++;
  windows_.emplace(Key(workspace, visitor), std::make_pair(id, std::move(window)));
  return id;
}

void ChatHub::Remove(domain::WorkspaceId workspace, const std::string& visitor, std::int64_t id) {
  std::lock_guard lock(mutex_);
  auto [first, last] = windows_.equal_range(Key(workspace, visitor));
  for (auto it = first; it != last; ++it) {
    if (it->second.first == id) {
      windows_.erase(it);
      return;
    }
  }
}

int ChatHub::Send(domain::WorkspaceId workspace, const std::string& visitor,
                  const std::string& text) {
  std::lock_guard lock(mutex_);
  int sent = 0;
  auto [first, last] = windows_.equal_range(Key(workspace, visitor));
  for (auto it = first; it != last; ++it) {
    if (auto window = it->second.second.lock()) {
      window->Send(text);
      ++sent;
    }
  }
  return sent;
}

std::optional<std::string> ChatHub::VisitorOf(domain::ConversationId conversation) const {
  std::lock_guard lock(mutex_);
  auto found = visitor_of_.find(conversation);
  if (found == visitor_of_.end()) return std::nullopt;
  return found->second;
}

void ChatHub::Remember(domain::ConversationId conversation, std::string visitor) {
  std::lock_guard lock(mutex_);
  if (visitor_of_.size() > 100'000) visitor_of_.clear();  // a cache: looked up again when needed
  visitor_of_[conversation] = std::move(visitor);
}

namespace {

using telemetry::LogInfo;
using telemetry::LogWarn;

constexpr std::size_t kHistoryMessages = 100;

json WidgetMessage(const domain::Message& m, const std::string& brand) {
  const bool inbound = m.direction == domain::Direction::kInbound;
  return {{"id", m.platform_message_id.empty() ? m.id.ToString() : m.platform_message_id},
          {"direction", inbound ? "inbound" : "outbound"},
          {"text", m.text},
          {"author", inbound ? m.author.display_name : brand},
          {"at", core::FormatIso8601(m.published_at)}};
}

// The visitor's last `limit` conversations in the account's workspace, most recent first; each
// remembered as theirs.
core::Result<std::vector<domain::Conversation>> ConversationsOf(
    Application& app, const domain::ChannelAccount& account, const std::string& visitor,
    int limit) {
  auto customer = app.store().FindCustomerByIdentity(account.workspace_id,
                                                     domain::ChannelKind::kWebChat, visitor);
  PARLEY_TRY(customer);
  if (!customer->has_value()) return std::vector<domain::Conversation>();
  storage::ConversationQuery query;
  query.workspace_id = account.workspace_id;
  query.customer_id = **customer;
  query.sort = storage::ConversationSort::kRecent;
  query.limit = limit;
  auto page = app.store().QueryConversations(query);
  PARLEY_TRY(page);
  auto conversations = storage::DecodeAll<domain::Conversation>(page->documents);
  PARLEY_TRY(conversations);
  for (const auto& conversation : *conversations) app.chat().Remember(conversation.id, visitor);
  return conversations;
}

// The visitor's chat on this account, oldest first: their last conversations' chat messages.
core::Result<json> History(Application& app, const domain::ChannelAccount& account,
                           const std::string& visitor) {
  json history = json::array();
  auto conversations = ConversationsOf(app, account, visitor, 5);
  PARLEY_TRY(conversations);
  std::vector<domain::Message> messages;
  for (auto it = conversations->rbegin(); it != conversations->rend(); ++it) {
    auto documents = app.store().ListConversationMessages(it->id, 1000);
    PARLEY_TRY(documents);
    auto decoded = storage::DecodeAll<domain::Message>(*documents);
    PARLEY_TRY(decoded);
    for (auto& m : *decoded) {
      if (m.channel_account_id != account.id || m.deleted_at) continue;
      if (m.direction == domain::Direction::kOutbound &&
          (m.delivery == domain::DeliveryStatus::kDraft ||
           m.delivery == domain::DeliveryStatus::kPendingApproval ||
           m.delivery == domain::DeliveryStatus::kRejected ||
           m.delivery == domain::DeliveryStatus::kFailed)) {
        continue;  // not sent to the visitor
      }
      messages.push_back(std::move(m));
    }
  }
  const std::size_t skip =
      messages.size() > kHistoryMessages ? messages.size() - kHistoryMessages : 0;
  for (std::size_t i = skip; i < messages.size(); ++i) {
    history.push_back(WidgetMessage(messages[i], account.name));
  }
  return history;
}

// The visitor's open conversation, for their typing.
std::optional<domain::Conversation> OpenConversationOf(Application& app,
                                                       const domain::ChannelAccount& account,
                                                       const std::string& visitor) {
  auto conversations = ConversationsOf(app, account, visitor, 1);
  if (!conversations.ok() || conversations->empty() ||
      !domain::IsOpen(conversations->front().status)) {
    return std::nullopt;
  }
  return conversations->front();
}

// Who the widget talks for: the visitor key, or why not.
core::Result<std::pair<std::string, std::string>> Identify(const http::HttpRequest& request,
                                                           const domain::ChannelAccount& account) {
  const auto user_id = request.Query("user_id");
  if (user_id && !user_id->empty()) {
    auto secret = account.credentials.find("identity_secret");
    if (secret == account.credentials.end() || secret->second.empty()) {
      return Invalid(
          "this chat does not verify signed-in users: the account has no identity_secret");
    }
    const std::string expected = core::ToHex(core::HmacSha256(secret->second, *user_id));
    if (!core::ConstantTimeEquals(request.Query("user_hash").value_or(""), expected)) {
      return core::MakeError(core::ErrorCode::kUnauthenticated,
                             "user_hash is not the HMAC-SHA256 of user_id with the site's secret");
    }
    std::string key = "user:" + *user_id;
    if (!channels::webchat::ValidVisitorKey(key)) {
      return Invalid("user_id: 1 to 128 printable characters without spaces");
    }
    return std::make_pair(std::move(key), request.Query("name").value_or(""));
  }
  const std::string token = request.Query("visitor").value_or("");
  if (!channels::webchat::ValidVisitorKey("visitor:" + token)) {
    return Invalid("visitor: the widget's token, 16 to 64 letters, digits or dashes");
  }
  // The token is the visitor's only credential: what Parley keeps and shows (the customer's
  // identity, message ids, events) is a digest of it, from which it cannot be had back.
  std::string key = "visitor:" + core::ToHex(core::Sha256(token)).substr(0, 32);
  return std::make_pair(std::move(key), std::string());
}

struct Window {
  domain::ChannelAccount account;
  std::string visitor;
  std::string name;
  bool verified = false;
  std::int64_t id = 0;
  std::chrono::steady_clock::time_point last_typing;
  std::deque<std::chrono::steady_clock::time_point> recent;  // messages in the last minute
};

// A person chats at a few messages a minute; more than this from one window is a script.
constexpr std::size_t kMessagesPerMinute = 20;

void Refuse(http::WebSocketConnection& connection, const std::string& why) {
  connection.Send(json({{"type", "error"}, {"message", why}}).dump());
}

// A string field of what the widget sent; empty when absent or not a string.
std::string Field(const json& message, const char* key) {
  auto found = message.find(key);
  return found != message.end() && found->is_string() ? found->get<std::string>() : std::string();
}

void OnVisitorMessage(Application& app, const std::shared_ptr<Window>& window,
                      const std::shared_ptr<http::WebSocketConnection>& live, const json& message) {
  const std::string client_id = Field(message, "client_id");
  const json body = {{"visitor", window->visitor},
                     {"verified", window->verified},
                     {"name", window->name},
                     {"client_id", client_id},
                     {"text", Field(message, "text")}};
  storage::RawPayload payload;
  payload.channel = domain::ChannelKind::kWebChat;
  payload.account_id = window->account.id;
  payload.source = "chat:/chat/ws";
  payload.headers_json = "{}";
  payload.body = body.dump();
  payload.received_at = app.clock().Now();
  const core::Timestamp at = payload.received_at;
  // What the parser would refuse goes back to the visitor at once, and is not stored.
  auto events = app.parsers()
                    .Find(domain::ChannelKind::kWebChat)
                    ->Parse({payload.body, "{}", window->account, payload.received_at});
  if (!events.ok()) return Refuse(*live, events.error().message);
  std::weak_ptr<http::WebSocketConnection> weak = live;
  app.inbox().Append(std::move(payload), [weak, client_id, window, &app, body,
                                          at](const core::Result<domain::RawPayloadId>& stored) {
    auto connection = weak.lock();
    if (!stored.ok()) {
      LogWarn("chat.not_stored", {{"error", stored.error().ToString()}});
      if (connection) Refuse(*connection, "your message could not be stored; send it again");
      return;
    }
    if (connection) connection->Send(json({{"type", "ack"}, {"client_id", client_id}}).dump());
    // The visitor's other windows show it too.
    const json echo = {{"type", "message"},
                       {"message",
                        {{"id", window->visitor + "/" + client_id},
                         {"direction", "inbound"},
                         {"text", body["text"]},
                         {"author", window->name},
                         {"at", core::FormatIso8601(at)}}}};
    app.chat().Send(window->account.workspace_id, window->visitor, echo.dump());
  });
}

void OnVisitorTyping(Application& app, Window& window) {
  const auto now = std::chrono::steady_clock::now();
  // The widget sends one every 2 s at most; more than one a second is not a person typing.
  if (now - window.last_typing < std::chrono::seconds(1)) return;
  window.last_typing = now;
  auto conversation = OpenConversationOf(app, window.account, window.visitor);
  if (!conversation) return;  // nothing to type into yet: the first message opens it
  app.events().Publish("conversation.typing", conversation->workspace_id, conversation->team_id,
                       {{"conversation_id", conversation->id.ToString()},
                        {"customer_id", conversation->customer_id.ToString()},
                        {"at", core::FormatIso8601(app.clock().Now())}});
}

}  // namespace

// An agent typing in a web chat conversation: the visitor's windows show it.
void ForwardAgentTyping(Application& app, const Event& event) {
  if (event.type != "conversation.typing" || !event.data.contains("agent_id")) return;
  const auto id =
      core::ParseId<domain::ConversationId>(event.data.value("conversation_id", std::string()));
  if (!id) return;
  std::optional<std::string> visitor = app.chat().VisitorOf(*id);
  if (!visitor) {
    // Once per conversation: whether it is a web chat, and with whom.
    visitor = "";
    auto conversation = storage::Get<domain::Conversation>(app.store(), *id);
    if (conversation.ok() && conversation->has_value()) {
      auto customer = storage::Get<domain::Customer>(app.store(), (*conversation)->customer_id);
      if (customer.ok() && customer->has_value()) {
        for (const auto& identity : (*customer)->identities) {
          if (identity.channel == domain::ChannelKind::kWebChat)
            visitor = identity.platform_user_id;
        }
      }
    }
    app.chat().Remember(*id, *visitor);
  }
  if (visitor->empty()) return;
  // No author: the widget names the brand it talks to (this runs under the hub's lock, so it
  // looks nothing else up).
  app.chat().Send(event.workspace, *visitor, R"({"type":"typing"})");
}

void AddChatRoutes(http::Router& router, Application& app) {
  router.AddWebSocket(
      "/chat/ws",
      [&app](const http::HttpRequest& request, const http::RouteParams&,
             std::shared_ptr<http::WebSocketConnection> connection)
          -> std::variant<http::HttpResponse, http::WebSocketHandlers> {
        const std::string key = request.Query("account").value_or("");
        auto account = app.directory().FindAccountByPlatformId(domain::ChannelKind::kWebChat, key);
        if (!account) {
          return http::ErrorResponse(404, "not_found", "no web chat account '" + key + "'");
        }
        auto window = std::make_shared<Window>();
        window->account = *account;
        http::WebSocketHandlers handlers;
        auto identity = Identify(request, *account);
        if (!identity.ok()) {
          // Told over the socket, where the widget can show it, then closed.
          Refuse(*connection, identity.error().message);
          connection->Close();
          handlers.on_message = [](std::string_view) {};
          handlers.on_close = [] {};
          return handlers;
        }
        window->visitor = identity->first;
        window->verified = window->visitor.rfind("user:", 0) == 0;
        window->name = identity->second;
        auto history = History(app, *account, window->visitor);
        if (!history.ok()) {
          LogWarn("chat.history_failed", {{"error", history.error().ToString()}});
          history = json::array();
        }
        connection->Send(json({{"type", "welcome"},
                               {"visitor", window->visitor},
                               {"brand", account->name},
                               {"history", *history}})
                             .dump());
        window->id = app.chat().Add(account->workspace_id, window->visitor, connection);
        std::weak_ptr<http::WebSocketConnection> weak = connection;
        handlers.on_message = [&app, window, weak](std::string_view text) {
          auto live = weak.lock();
          if (!live) return;
          const json message = json::parse(text, nullptr, false);
          const std::string type = message.is_object() ? Field(message, "type") : std::string();
          if (type == "message") {
            const auto now = std::chrono::steady_clock::now();
            while (!window->recent.empty() &&
                   now - window->recent.front() > std::chrono::minutes(1)) {
              window->recent.pop_front();
            }
            if (window->recent.size() >= kMessagesPerMinute) {
              return Refuse(*live, "too many messages: at most " +
                                       std::to_string(kMessagesPerMinute) +
                                       " a minute; wait a moment and send it again");
            }
            window->recent.push_back(now);
            OnVisitorMessage(app, window, live, message);
          } else if (type == "typing") {
            OnVisitorTyping(app, *window);
          } else if (type == "ping") {
            live->Send(R"({"type":"pong"})");
          } else {
            Refuse(*live, "send message, typing or ping");
          }
        };
        handlers.on_close = [&app, window] {
          app.chat().Remove(window->account.workspace_id, window->visitor, window->id);
        };
        return handlers;
      });
}

}  // namespace parley::app
