// Meta inbound: Facebook Pages, Messenger, Instagram and WhatsApp Cloud API webhooks (PRODUCT.md
// C1.2-C1.4, C1.8). One delivery holds entries for one object type:
//
//  - "page": feed changes (posts, comments and replies with parent_id, edits, removals, hides,
//    likes and reactions), page mentions, and Messenger "messaging"/"standby" events (messages,
//    echoes of the page's own messages, attachments, replies, edits, deletions, postbacks,
//    reactions, deliveries, reads);
//  - "instagram": comments, live comments, mentions, and Instagram messaging;
//  - "whatsapp_business_account": messages of every type, edits, revokes, echoes of the
//    business's own messages, and delivery statuses.
//
// Meta batches entries of several pages or numbers into one delivery. A parse reads only the
// entries addressed to its account (entry id, or WhatsApp's phone_number_id); an account with no
// platform id reads them all (imports, conformance). Events that mean nothing for care (thread
// control, opt-ins, template and account updates, calls) yield no events by design.
#pragma once

#include "parley/channels/parser.h"

namespace parley::channels::meta {

class MetaParser final : public PayloadParser {
 public:
  core::Result<std::vector<domain::InboundEvent>> Parse(const ParseInput& input) const override;
};

// The ids a delivery is addressed to: each entry's id, and each WhatsApp phone_number_id.
std::vector<std::string> AddressedIds(std::string_view body);

// "sha256=" + hex HMAC-SHA256 of the body with the app secret, compared in constant time.
bool VerifySignature(std::string_view app_secret, std::string_view body, std::string_view header);

}  // namespace parley::channels::meta
