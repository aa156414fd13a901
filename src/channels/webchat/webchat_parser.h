// Web chat in (PRODUCT.md C1.6): what a visitor typed into the chat widget, as the chat endpoint
// stored it in the raw inbox (app/chat_routes.cc writes it; docs/channels/webchat.md):
//
//   {"visitor": "visitor:<token>" | "user:<site's user id>", "verified": true|false,
//    "name": "Jane", "client_id": "<the widget's id for this message>", "text": "…",
//    "page": "https://shop.example/orders"}
//
// One private chat message; the visitor is the author, so every message of theirs joins their
// open conversation. The message's platform id is the visitor and the widget's id together, so a
// message the widget sends twice (after a dropped connection) is one message.
#pragma once

#include <string>
#include <string_view>

#include "parley/channels/parser.h"

namespace parley::channels::webchat {

inline constexpr std::size_t kMaxTextBytes = 8192;

class WebChatParser final : public PayloadParser {
 public:
  core::Result<std::vector<domain::InboundEvent>> Parse(const ParseInput& input) const override;
};

// Whether a visitor key is one the chat endpoint makes: "visitor:" and a random token of 16 to
// 64 letters, digits and dashes, or "user:" and the site's id of a signed-in user (1 to 128
// printable characters).
bool ValidVisitorKey(std::string_view key);

}  // namespace parley::channels::webchat
