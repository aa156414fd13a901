#include "parley/storage/outbox.h"

#include <string>

namespace parley::storage::outbox_rules {

using domain::OutboxState;

void PrepareEnqueued(domain::OutboxItem& item) {
  item.state = OutboxState::kQueued;
  item.attempts = 0;
  item.finished_at.reset();
  item.platform_id.clear();
  item.error_code.clear();
  item.error.clear();
  if (item.next_attempt_at == domain::Timestamp()) item.next_attempt_at = item.created_at;
}

void MarkClaimed(domain::OutboxItem& item) {
  item.state = OutboxState::kSending;
  ++item.attempts;
}

core::Result<domain::OutboxItem> Finished(const domain::OutboxItem& stored,
                                          const domain::OutboxItem& outcome) {
  if (stored.state != OutboxState::kSending) {
    return core::MakeError(core::ErrorCode::kFailedPrecondition,
                           "outbox item " + stored.id.ToString() + " is " +
                               std::string(domain::ToString(stored.state)) + ", not sending");
  }
  if (outcome.state == OutboxState::kSending) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "an attempt ends sent, failed, queued or unconfirmed, not " +
                               std::string(domain::ToString(outcome.state)));
  }
  domain::OutboxItem next = stored;
  next.state = outcome.state;
  next.platform_id = outcome.platform_id;
  next.error_code = outcome.error_code;
  next.error = outcome.error;
  next.next_attempt_at = outcome.next_attempt_at;
  next.finished_at = outcome.state == OutboxState::kQueued ? std::nullopt : outcome.finished_at;
  if (outcome.message_id.valid()) next.message_id = outcome.message_id;
  return next;
}

void MarkInDoubt(domain::OutboxItem& item, domain::Timestamp now) {
  item.state = OutboxState::kUnconfirmed;
  item.finished_at = now;
  item.error_code = "unconfirmed";
  item.error = "the server stopped while the platform was answering; not sent again automatically";
}

core::Status Requeued(domain::OutboxItem& item, domain::Timestamp at) {
  if (item.state != OutboxState::kUnconfirmed && item.state != OutboxState::kFailed) {
    return core::MakeError(core::ErrorCode::kFailedPrecondition,
                           "only an unconfirmed or failed item can be sent again; " +
                               item.id.ToString() + " is " +
                               std::string(domain::ToString(item.state)));
  }
  item.state = OutboxState::kQueued;
  item.attempts = 0;
  item.next_attempt_at = at;
  item.finished_at.reset();
  return core::Ok();
}

core::Status Confirmed(domain::OutboxItem& item, const std::string& platform_id,
                       domain::Timestamp at) {
  if (item.state != OutboxState::kUnconfirmed) {
    return core::MakeError(core::ErrorCode::kFailedPrecondition,
                           "only an unconfirmed item is confirmed; " + item.id.ToString() + " is " +
                               std::string(domain::ToString(item.state)));
  }
  item.state = OutboxState::kSent;
  if (!platform_id.empty()) item.platform_id = platform_id;
  item.error_code.clear();
  item.error.clear();
  item.finished_at = at;
  return core::Ok();
}

}  // namespace parley::storage::outbox_rules
