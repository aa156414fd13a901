// Web chat out (PRODUCT.md C1.6): an agent's answer to a visitor of the chat widget. There is no
// platform in between: the answer is handed to the visitor's open chat windows at once (through
// `deliver`, which the app's chat endpoint provides) and is sent either way — a visitor with no
// window open sees it in the history the widget loads when they come back.
//
// The recipient is the visitor's key ("visitor:<token>" or "user:<id>"); the answer's platform id
// is "parley-chat.<outbox id>".
#pragma once

#include <functional>
#include <string>

#include "parley/outbound/sender.h"

namespace parley::outbound {

class WebChatSender final : public Sender {
 public:
  // Hands `event` (a JSON text for the widget) to the visitor's windows; how many got it.
  using Deliver = std::function<int(const domain::ChannelAccount& account,
                                    const std::string& visitor, const std::string& event)>;
  explicit WebChatSender(Deliver deliver) : deliver_(std::move(deliver)) {}

  SendResult Send(const domain::OutboxItem& item, const domain::ChannelAccount& account,
                  core::Timestamp now) override;

 private:
  Deliver deliver_;
};

}  // namespace parley::outbound
