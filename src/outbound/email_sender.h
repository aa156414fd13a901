// Email out (PRODUCT.md C1.5): an answer to a customer's email, sent over SMTP (libcurl) as
// multipart text and HTML, threaded with In-Reply-To and References, with a Message-ID Parley
// makes so that the customer's next reply finds the conversation.
//
// The account: `platform_account_id` is the From address; `api_base_url` the SMTP server
// (smtp://host:port, or smtps:// for TLS from the start; smtp:// upgrades with STARTTLS when the
// server offers it); credentials `username` and `password` when the server wants a login.
//
// Results: accepted by the server -> sent (the platform id is the Message-ID); no connection, or
// a 4xx from the server -> retried; a 5xx (a refused recipient, a refused login) -> failed with
// the server's words; the connection lost after the message was handed over -> unconfirmed.
#pragma once

#include <string>

#include "parley/outbound/sender.h"

namespace parley::outbound {

class EmailSender final : public Sender {
 public:
  SendResult Send(const domain::OutboxItem& item, const domain::ChannelAccount& account,
                  core::Timestamp now) override;
};

// The RFC 5322 message an outbox item is sent as (for the sender and its tests): From the
// account, To the recipient, the subject, In-Reply-To and References, `message_id`, and a
// multipart/alternative body.
std::string ComposeEmail(const domain::OutboxItem& item, const domain::ChannelAccount& account,
                         const std::string& message_id, core::Timestamp now);

}  // namespace parley::outbound
