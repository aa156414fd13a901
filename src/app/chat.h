// Web chat (PRODUCT.md C1.6): the visitors' open chat windows, by workspace and visitor, so that
// an agent's answer and their typing reach every window a visitor has open, at once.
//
// The endpoint (GET /chat/ws, chat_routes.cc) registers a window when the widget connects and
// removes it when it closes; the web chat sender (outbound/webchat_sender.h) and the agents'
// typing events push through it. Which conversation belongs to which visitor is looked up in the
// store once and remembered.
//
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "parley/domain/ids.h"
#include "parley/http/router.h"

namespace parley::app {

class Application;
struct Event;

class ChatHub {
 public:
  // Returns the window's id, for Remove.
  std::int64_t Add(domain::WorkspaceId workspace, const std::string& visitor,
                   std::weak_ptr<http::WebSocketConnection> window);
  void Remove(domain::WorkspaceId workspace, const std::string& visitor, std::int64_t id);
  // Sends `text` to each open window of the visitor; how many there were.
  int Send(domain::WorkspaceId workspace, const std::string& visitor, const std::string& text);

  // The visitor a web chat conversation is with ("" when it is not one); nullopt when unknown.
  std::optional<std::string> VisitorOf(domain::ConversationId conversation) const;
  void Remember(domain::ConversationId conversation, std::string visitor);

 private:
  static std::string Key(domain::WorkspaceId workspace, const std::string& visitor);

  mutable std::mutex mutex_;
  std::int64_t next_id_ = 1;  // GUARDED_BY(mutex_)
  std::multimap<std::string, std::pair<std::int64_t, std::weak_ptr<http::WebSocketConnection>>>
      windows_;                                               // GUARDED_BY(mutex_)
  std::map<domain::ConversationId, std::string> visitor_of_;  // GUARDED_BY(mutex_)
};

// GET /chat/ws, the widget's WebSocket (chat_routes.cc).
void AddChatRoutes(http::Router& router, Application& app);
// Shows an agent's typing (a conversation.typing event) in the visitor's windows.
void ForwardAgentTyping(Application& app, const Event& event);

}  // namespace parley::app
