// Messages, and the platform events that are not messages (interactions) or not public (notes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parley/domain/channel.h"
#include "parley/domain/ids.h"
#include "parley/domain/lifecycle.h"

namespace parley::domain {

// The platform's engagement counters on a message.
struct Metrics {
  std::int64_t likes = 0;
  std::int64_t reposts = 0;
  std::int64_t replies = 0;
  std::int64_t quotes = 0;
  std::int64_t views = 0;

  bool operator==(const Metrics&) const = default;
};

struct Attachment {
  std::string kind;  // image, video, audio, file, location, contact, sticker
  std::string url;   // platform URL or Parley's stored copy
  std::string mime_type;
  std::string name;
  std::int64_t size_bytes = 0;

  bool operator==(const Attachment&) const = default;
};

// The author as the platform showed them when the message arrived.
struct Author {
  std::string platform_user_id;
  std::string handle;
  std::string display_name;
  std::int64_t followers = 0;
  bool verified = false;

  bool operator==(const Author&) const = default;
};

struct Message {
  MessageId id;
  WorkspaceId workspace_id;
  ConversationId conversation_id;
  ChannelAccountId channel_account_id;
  ChannelKind channel = ChannelKind::kGeneric;
  MessageKind kind = MessageKind::kPost;
  Direction direction = Direction::kInbound;
  Visibility visibility = Visibility::kPublic;

  // The platform's ids. platform_message_id is unique within a channel account; processing is
  // idempotent by it.
  std::string platform_message_id;
  std::string platform_thread_id;  // X conversation_id, Facebook post id, email thread root
  std::string in_reply_to_platform_id;
  std::string quoted_platform_id;

  CustomerId customer_id;  // inbound: the author; outbound: the recipient
  AgentId agent_id;        // outbound: who wrote it, as a routing agent
  UserId user_id;          // outbound: who wrote it, as a person logged in (API, web app)
  Author author;
  // Outbound private messages: the platform user id of the recipient (a DM's target).
  std::string recipient_platform_user_id;

  std::string text;
  std::string language;             // ISO 639-1, from the platform or detected
  std::optional<double> sentiment;  // inbound: triage's score, 1 (angry) to 10 (delighted)
  // Inbound personal data found by triage (card, iban, account_number, sort_code, phone, email),
  // and the text with it masked ("my card [card]"), shown wherever the message is public.
  std::vector<std::string> personal_data;
  std::string redacted_text;
  // Inbound: what triage filtered it as (spam, repost, duplicate, own_post, blocked_author, ...).
  std::vector<std::string> filters;
  std::vector<Attachment> attachments;
  Metrics metrics;
  std::vector<std::string> tags;

  Timestamp published_at;  // on the platform: what the customer experienced
  Timestamp received_at;   // by Parley
  std::optional<Timestamp> edited_at;
  std::optional<Timestamp> deleted_at;  // deleted on the platform; text kept per retention policy
  bool hidden = false;                  // hidden on the platform by moderation

  // Outbound only.
  DeliveryStatus delivery = DeliveryStatus::kDraft;
  std::string delivery_error;

  RawPayloadId raw_payload_id;  // provenance: the inbox entry it came from
  std::string subject;          // email: the Subject line, for the answer's "Re: ..."

  bool operator==(const Message&) const = default;
};

// An action on the platform that is recorded but opens no conversation.
enum class InteractionKind { kLike, kRepost, kFollow, kUnfollow, kReaction, kRead, kDelivery };

template <>
struct EnumNames<InteractionKind> {
  static constexpr std::array<std::pair<InteractionKind, std::string_view>, 7> kNames{{
      {InteractionKind::kLike, "like"},
      {InteractionKind::kRepost, "repost"},
      {InteractionKind::kFollow, "follow"},
      {InteractionKind::kUnfollow, "unfollow"},
      {InteractionKind::kReaction, "reaction"},
      {InteractionKind::kRead, "read"},
      {InteractionKind::kDelivery, "delivery"},
  }};
};

struct Interaction {
  InteractionId id;
  WorkspaceId workspace_id;
  ChannelAccountId channel_account_id;
  InteractionKind kind = InteractionKind::kLike;
  Author actor;
  std::string target_platform_id;  // the message or account acted on
  std::string value;               // the reaction emoji, for kReaction
  Timestamp at;

  bool operator==(const Interaction&) const = default;
};

// An internal note on a conversation, or a log of an interaction that happened elsewhere (a phone
// call, a store visit). Never sent to the customer.
struct Note {
  NoteId id;
  WorkspaceId workspace_id;
  ConversationId conversation_id;
  AgentId author_id;
  std::string kind;  // "note", "phone_call", "store_visit", ...
  std::string text;
  Timestamp created_at;

  bool operator==(const Note&) const = default;
};

}  // namespace parley::domain
