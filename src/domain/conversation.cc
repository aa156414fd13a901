#include "parley/domain/conversation.h"

#include <algorithm>

namespace parley::domain {

std::optional<Timestamp> SlaDeadlines::Earliest() const {
  std::optional<Timestamp> earliest;
  for (const auto& deadline :
       {first_response_due, next_response_due, resolution_due, reply_window_closes}) {
    if (deadline && (!earliest || *deadline < *earliest)) earliest = deadline;
  }
  return earliest;
}

core::Status MoveConversation(Conversation& conversation, ConversationStatus to, Timestamp now,
                              AgentId assignee) {
  if (to == ConversationStatus::kAssigned && !assignee.valid()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "an assigned conversation needs an assignee");
  }
  const ConversationStatus from = conversation.status;
  const bool reassign =
      from == to && to == ConversationStatus::kAssigned && conversation.assignee_id != assignee;
  PARLEY_TRY(Transition(conversation.status, to));
  if (from == to && !reassign) return core::Ok();

  switch (to) {
    case ConversationStatus::kAssigned:
      conversation.assignee_id = assignee;
      conversation.last_assignee_id = assignee;
      conversation.assigned_at = now;
      break;
    case ConversationStatus::kQueued:
      conversation.assignee_id = AgentId();
      conversation.assigned_at.reset();
      break;
    case ConversationStatus::kWaitingOnCustomer:
      break;
    case ConversationStatus::kResolved:
    case ConversationStatus::kClosed:
      if (conversation.assignee_id) conversation.last_assignee_id = conversation.assignee_id;
      conversation.assignee_id = AgentId();
      conversation.resolved_at = now;
      conversation.sla = SlaDeadlines();
      break;
  }
  if (from == ConversationStatus::kResolved && IsOpen(to)) {
    conversation.resolved_at.reset();
    conversation.resolution_code.clear();
  }
  conversation.updated_at = now;
  ++conversation.version;
  return core::Ok();
}

core::Status RecordMessage(Conversation& conversation, ChannelKind channel, Direction direction,
                           Timestamp at) {
  if (conversation.status == ConversationStatus::kClosed) {
    return core::MakeError(core::ErrorCode::kFailedPrecondition,
                           "a closed conversation takes no more messages");
  }
  if (std::find(conversation.channels.begin(), conversation.channels.end(), channel) ==
      conversation.channels.end()) {
    conversation.channels.push_back(channel);
  }
  ++conversation.message_count;
  if (direction == Direction::kInbound) {
    conversation.last_customer_message_at = at;
    if (conversation.status == ConversationStatus::kWaitingOnCustomer ||
        conversation.status == ConversationStatus::kResolved) {
      const bool keep_assignee = conversation.status == ConversationStatus::kWaitingOnCustomer &&
                                 conversation.assignee_id.valid();
      PARLEY_TRY(MoveConversation(
          conversation, keep_assignee ? ConversationStatus::kAssigned : ConversationStatus::kQueued,
          at, conversation.assignee_id));
    }
  } else {
    conversation.last_agent_message_at = at;
    if (!conversation.first_response_at) conversation.first_response_at = at;
    if (conversation.status == ConversationStatus::kAssigned) {
      PARLEY_TRY(MoveConversation(conversation, ConversationStatus::kWaitingOnCustomer, at));
    }
  }
  conversation.updated_at = std::max(conversation.updated_at, at);
  ++conversation.version;
  return core::Ok();
}

}  // namespace parley::domain
