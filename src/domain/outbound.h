// What Parley asks a platform to do on the brand's behalf (PRODUCT.md C1.9): replies, direct and
// template messages, and moderation. Each request waits in the durable outbox until a sender has
// an answer from the platform.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/domain/channel.h"
#include "parley/domain/ids.h"

namespace parley::domain {

enum class OutboundKind {
  kReply,          // a public reply to a post, tweet or comment (WhatsApp: a reply in the chat)
  kDirectMessage,  // a private message to a user (X DM, Messenger, Instagram Direct, WhatsApp)
  kPrivateReply,   // Facebook/Instagram: a private message answering a public comment
  kTemplate,       // WhatsApp: an approved template, the only way to open a closed window
  kHide,           // hide a comment or reply
  kUnhide,
  kDelete,  // delete the brand's own post or a comment on its page
  kLike,
};

template <>
struct EnumNames<OutboundKind> {
  static constexpr std::array<std::pair<OutboundKind, std::string_view>, 8> kNames{{
      {OutboundKind::kReply, "reply"},
      {OutboundKind::kDirectMessage, "direct_message"},
      {OutboundKind::kPrivateReply, "private_reply"},
      {OutboundKind::kTemplate, "template"},
      {OutboundKind::kHide, "hide"},
      {OutboundKind::kUnhide, "unhide"},
      {OutboundKind::kDelete, "delete"},
      {OutboundKind::kLike, "like"},
  }};
};

// Whether the action carries a message the customer will read (and so has a Message record).
constexpr bool CarriesMessage(OutboundKind kind) {
  return kind == OutboundKind::kReply || kind == OutboundKind::kDirectMessage ||
         kind == OutboundKind::kPrivateReply || kind == OutboundKind::kTemplate;
}

// An outbox item's state. queued -> sending -> sent | failed | queued (retry later); sending ->
// unconfirmed when the server stopped before the platform answered.
enum class OutboxState { kQueued, kSending, kSent, kFailed, kUnconfirmed };

template <>
struct EnumNames<OutboxState> {
  static constexpr std::array<std::pair<OutboxState, std::string_view>, 5> kNames{{
      {OutboxState::kQueued, "queued"},
      {OutboxState::kSending, "sending"},
      {OutboxState::kSent, "sent"},
      {OutboxState::kFailed, "failed"},
      {OutboxState::kUnconfirmed, "unconfirmed"},
  }};
};

struct OutboundAction {
  OutboundKind kind = OutboundKind::kReply;
  // reply, private_reply, hide, unhide, delete, like: the platform id of the message acted on.
  // WhatsApp replies: the customer message quoted as context (optional).
  std::string target_platform_id;
  // direct_message, template and WhatsApp replies: who receives it (X user id, PSID, IGSID,
  // WhatsApp id).
  std::string recipient_platform_user_id;
  std::string text;
  std::string template_name;  // template
  std::string template_language;
  std::vector<std::string> template_parameters;  // the body's {{1}}, {{2}}, ...
  // Email: the Subject, and the thread's Message-IDs for References (oldest first).
  std::string subject;
  std::vector<std::string> references;

  bool operator==(const OutboundAction&) const = default;
};

struct OutboxItem {
  OutboxId id;
  WorkspaceId workspace_id;
  ChannelAccountId channel_account_id;
  ConversationId conversation_id;  // when known at enqueue time
  MessageId message_id;            // the Message this delivers (CarriesMessage kinds)
  AgentId agent_id;                // who asked for it, as a routing agent
  UserId user_id;                  // who asked for it, as a person logged in
  OutboundAction action;

  OutboxState state = OutboxState::kQueued;
  int attempts = 0;
  Timestamp created_at;
  Timestamp next_attempt_at;
  std::optional<Timestamp> finished_at;
  std::string platform_id;  // what the platform returned: the new message's id
  // The last failure: a stable code (rate_limited, token_expired, window_closed, rejected,
  // unreachable, server_error, unconfirmed, unsupported) and the platform's own words.
  std::string error_code;
  std::string error;

  bool operator==(const OutboxItem&) const = default;
};

// The tag a sender attaches where a platform returns it with the message (Messenger's
// message.metadata in the echo, WhatsApp's biz_opaque_callback_data in status webhooks), so that
// what comes back names the outbox item: "parley:outbox:<id>".
std::string OutboxReference(OutboxId id);
std::optional<OutboxId> ParseOutboxReference(std::string_view tag);

}  // namespace parley::domain
