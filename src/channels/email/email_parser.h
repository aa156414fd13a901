// Email in (PRODUCT.md C1.5): one raw RFC 5322 message, as a mailbox holds it or as it was posted
// to /webhooks/email, parsed with GMime (MIME structure, charsets, quoted-printable, base64).
//
//   - the text the agent reads is the message's own words: quoted replies ("> ...", "On ...
//     wrote:") and the signature ("-- ") are cut; the raw message stays in the inbox, which the
//     message names (raw_payload_id);
//   - threading: Message-ID is the platform id; In-Reply-To (or the last of References) is the
//     parent; the first of References is the thread;
//   - attachments and inline images are listed with their type, name and decoded size;
//   - bounces (multipart/report delivery-status, mailer-daemon) and automatic replies
//     (Auto-Submitted, X-Autoreply, Precedence: bulk/junk/auto_reply) give no event: they open
//     no conversation.
//
// A payload GMime cannot read as a message, or one without a sender, is refused with the reason.
#pragma once

#include <string>
#include <string_view>

#include "parley/channels/parser.h"

namespace parley::channels::email {

class EmailParser final : public PayloadParser {
 public:
  core::Result<std::vector<domain::InboundEvent>> Parse(const ParseInput& input) const override;
};

// The part of a plain-text email body its writer wrote: what comes before the quoted message
// ("On <date>, <someone> wrote:", lines quoted with ">", "-----Original Message-----") and the
// signature ("-- " on a line of its own, "Sent from my ..."). Trimmed; the whole text when
// cutting would leave nothing.
std::string VisibleReply(std::string_view body);

}  // namespace parley::channels::email
