// What a channel connector turns a raw platform payload into: normalised events, ready for the
// live engine. A connector knows its platform's wire format; nothing after it does.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "parley/domain/message.h"
#include "parley/domain/outbound.h"

namespace parley::domain {

// A new message from the platform. `message` is filled except for the ids Parley assigns
// (id, conversation_id, customer_id) and the workspace, which the engine sets.
struct InboundMessage {
  InboundMessage() = default;
  explicit InboundMessage(Message m, OutboxId outbox = {})
      : message(std::move(m)), outbox_id(outbox) {}

  Message message;
  OutboxId outbox_id;  // a brand message's echo that carries Parley's outbox reference
};

// The platform reports an edit of a message we may hold.
struct InboundEdit {
  std::string platform_message_id;
  std::string text;
  Timestamp edited_at;
};

// The platform reports a deletion (by the author or a moderator).
struct InboundDeletion {
  std::string platform_message_id;
  Timestamp deleted_at;
};

// Hidden or unhidden on the platform.
struct InboundVisibilityChange {
  std::string platform_message_id;
  bool hidden = false;
};

// A delivery receipt for one of our outbound messages.
struct InboundDeliveryUpdate {
  InboundDeliveryUpdate() = default;
  InboundDeliveryUpdate(std::string id, DeliveryStatus s, std::string why, Timestamp when,
                        OutboxId outbox = {})
      : platform_message_id(std::move(id)),
        status(s),
        error(std::move(why)),
        at(when),
        outbox_id(outbox) {}

  std::string platform_message_id;
  DeliveryStatus status = DeliveryStatus::kSent;
  std::string error;
  Timestamp at;
  OutboxId outbox_id;  // from the outbox reference the platform returned with the status
};

struct InboundInteraction {
  Interaction interaction;
};

using InboundEvent =
    std::variant<InboundMessage, InboundEdit, InboundDeletion, InboundVisibilityChange,
                 InboundDeliveryUpdate, InboundInteraction>;

}  // namespace parley::domain
