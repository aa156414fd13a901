// Email in (PRODUCT.md C1.5): one raw RFC 5322 message, as a mailbox holds it or as it was posted
// to /webhooks/email, parsed with GMime (MIME structure, charsets, quoted-printable, base64).
//
//   - the text the agent reads is the message's own words: quoted replies ("> ...", "On ...
//     wrote:") and the signature ("-- ") are cut; the raw message stays in the inbox, which the
//     message names (raw_payload_id);
//   - threading: Message-ID is the platform id; In-Reply-To (or the last of References) is the
//     parent; the first of References is the thread;
//     a reply-address token (help+<token>@…, which Parley's answers carry in Reply-To) names the
//     answer it replies to when a mail client dropped In-Reply-To;
//   - attachments and inline images are listed with their type, name and decoded size; their
//     bytes stay in the raw message (EmailAttachment reads one back);
//   - bounces (multipart/report delivery-status, mailer-daemon) open no conversation: one that
//     names a message Parley sent gives a delivery update (failed, with the server's reason);
//     automatic replies (Auto-Submitted, X-Autoreply, Precedence: bulk/junk/auto_reply) give no
//     event.
//
// A payload GMime cannot read as a message, one without a sender, or one the IMAP reader stored
// only the header of (too large; kRefusedHeader) is refused with the reason.
#pragma once

#include <string>
#include <string_view>

#include "parley/channels/parser.h"

namespace parley::channels::email {

// The payload header that says why only part of a message was stored; the parser refuses such a
// payload with that reason, so it stays a dead letter an admin can see.
inline constexpr std::string_view kRefusedHeader = "x-parley-refused";

class EmailParser final : public PayloadParser {
 public:
  core::Result<std::vector<domain::InboundEvent>> Parse(const ParseInput& input) const override;
};

// The part of a plain-text email body its writer wrote: what comes before the quoted message
// ("On <date>, <someone> wrote:", lines quoted with ">", "-----Original Message-----") and the
// signature ("-- " on a line of its own, "Sent from my ..."). Trimmed; the whole text when
// cutting would leave nothing.
std::string VisibleReply(std::string_view body);

// One attachment of a raw message, by its position in the message's attachment list.
struct AttachmentContent {
  std::string mime_type;
  std::string name;
  std::string bytes;  // decoded
};
core::Result<AttachmentContent> EmailAttachment(std::string_view raw, std::size_t index);

}  // namespace parley::channels::email
