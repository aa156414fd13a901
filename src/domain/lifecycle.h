// Every status in Parley and the transitions allowed between them, in one place.
//
// A status changes only through Transition(), which refuses a move that is not in the table. The
// tables are the specification: docs and tests read from them, not from copies.
#pragma once

#include <span>

#include "parley/core/result.h"
#include "parley/domain/enum_names.h"

namespace parley::domain {

// A conversation's place in the care workflow.
enum class ConversationStatus {
  kQueued,             // waiting in a team queue for an agent
  kAssigned,           // an agent owns it and owes the customer a response
  kWaitingOnCustomer,  // the agent answered; SLA clocks pause until the customer writes
  kResolved,           // done from our side; a new customer message reopens it
  kClosed,             // final: noise, spam, or resolved and past the reopen window
};

template <>
struct EnumNames<ConversationStatus> {
  static constexpr std::array<std::pair<ConversationStatus, std::string_view>, 5> kNames{{
      {ConversationStatus::kQueued, "queued"},
      {ConversationStatus::kAssigned, "assigned"},
      {ConversationStatus::kWaitingOnCustomer, "waiting_on_customer"},
      {ConversationStatus::kResolved, "resolved"},
      {ConversationStatus::kClosed, "closed"},
  }};
};

// Is the conversation still someone's work?
constexpr bool IsOpen(ConversationStatus s) {
  return s == ConversationStatus::kQueued || s == ConversationStatus::kAssigned ||
         s == ConversationStatus::kWaitingOnCustomer;
}

// The life of an outbound message (a reply) from draft to the platform's read receipt.
enum class DeliveryStatus {
  kDraft,            // being written
  kPendingApproval,  // waiting for an approver (C5.2)
  kRejected,         // an approver refused it; final
  kQueued,           // in the durable outbox
  kUnconfirmed,      // the server stopped while the platform was answering: it may or may not
                     // be on the platform; never resent automatically, settled by the echo
  kSent,             // the platform accepted it
  kDelivered,        // the platform reports it delivered
  kRead,             // the platform reports it read
  kFailed,           // the platform refused it for good, with a reason; final
};

template <>
struct EnumNames<DeliveryStatus> {
  static constexpr std::array<std::pair<DeliveryStatus, std::string_view>, 9> kNames{{
      {DeliveryStatus::kDraft, "draft"},
      {DeliveryStatus::kPendingApproval, "pending_approval"},
      {DeliveryStatus::kRejected, "rejected"},
      {DeliveryStatus::kQueued, "queued"},
      {DeliveryStatus::kUnconfirmed, "unconfirmed"},
      {DeliveryStatus::kSent, "sent"},
      {DeliveryStatus::kDelivered, "delivered"},
      {DeliveryStatus::kRead, "read"},
      {DeliveryStatus::kFailed, "failed"},
  }};
};

// A raw inbound payload's processing state in the durable inbox.
enum class PayloadState {
  kPending,     // stored, not yet processed
  kProcessed,   // turned into domain events
  kDeadLetter,  // could not be processed; kept with the reason until replayed
};

template <>
struct EnumNames<PayloadState> {
  static constexpr std::array<std::pair<PayloadState, std::string_view>, 3> kNames{{
      {PayloadState::kPending, "pending"},
      {PayloadState::kProcessed, "processed"},
      {PayloadState::kDeadLetter, "dead_letter"},
  }};
};

template <typename Status>
struct StatusTransition {
  Status from;
  Status to;
};

// The allowed moves. Anything absent is refused.
std::span<const StatusTransition<ConversationStatus>> ConversationTransitions();
std::span<const StatusTransition<DeliveryStatus>> DeliveryTransitions();
std::span<const StatusTransition<PayloadState>> PayloadTransitions();

bool CanTransition(ConversationStatus from, ConversationStatus to);
bool CanTransition(DeliveryStatus from, DeliveryStatus to);
bool CanTransition(PayloadState from, PayloadState to);

// Moves `status` to `to` if the table allows it; otherwise leaves it and returns
// kFailedPrecondition naming both states. Moving to the current state is always allowed.
template <typename Status>
core::Status Transition(Status& status, Status to) {
  if (status == to) return core::Ok();
  if (!CanTransition(status, to)) {
    std::string message = "cannot move from ";
    message += ToString(status);
    message += " to ";
    message += ToString(to);
    return core::MakeError(core::ErrorCode::kFailedPrecondition, std::move(message));
  }
  status = to;
  return core::Ok();
}

}  // namespace parley::domain
