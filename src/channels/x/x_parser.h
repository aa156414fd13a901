// X (Twitter) inbound: every wire format X delivers or answers with (PRODUCT.md C1.1).
//
//  - Account Activity API deliveries: {"for_user_id": ..., "tweet_create_events": [...]}, and
//    favorite, follow, unfollow, direct message (with "users"), mark-read, typing, delete,
//    block/mute and user events;
//  - X Activity API events: {"data": {"event_type": "post.mention.create", "payload": {...},
//    "includes": {...}}};
//  - API v2 responses with posts or DM events: {"data": ... , "includes": {"users": [...]}} (for
//    import and polling);
//  - v1.1 Tweet objects, alone or in an array (for import).
//
// The brand's own posts and DMs (author = the account's user) come out as outbound messages, so
// an echo of our reply is never taken for a customer's message. Events that carry nothing for
// customer care (typing, blocks, mutes, profile updates, Spaces) yield no events; that is not an
// error. A payload that is none of the above is refused with the reason.
#pragma once

#include "parley/channels/parser.h"

namespace parley::channels::x {

class XParser final : public PayloadParser {
 public:
  core::Result<std::vector<domain::InboundEvent>> Parse(const ParseInput& input) const override;
};

// The X user id a delivery is addressed to (Account Activity "for_user_id", X Activity API
// "filter.user_id"), used to find the channel account before the signature check. Empty when the
// body does not say.
std::string AddressedUserId(std::string_view body);

// The CRC answer: "sha256=" + base64(HMAC-SHA256(consumer_secret, crc_token)).
std::string CrcResponseToken(std::string_view consumer_secret, std::string_view crc_token);

// Checks the x-twitter-webhooks-signature header ("sha256=" + base64 HMAC-SHA256 of the body with
// the consumer secret) in constant time.
bool VerifySignature(std::string_view consumer_secret, std::string_view body,
                     std::string_view header);

}  // namespace parley::channels::x
