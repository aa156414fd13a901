// The durable outbox (PRODUCT.md C1.9): every request to a platform waits here until a sender
// has the platform's answer. An item is marked `sending` durably before its request leaves, so a
// server that stops mid-request finds it again at start and does not send it twice: it becomes
// `unconfirmed` until the platform's echo settles it (ARCHITECTURE.md "Outbound").
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "parley/core/result.h"
#include "parley/domain/outbound.h"

namespace parley::storage {

class Outbox {
 public:
  virtual ~Outbox() = default;

  // Stores the item as queued, due at its next_attempt_at (created_at when unset), with a new
  // id; durable when this returns.
  virtual core::Result<domain::OutboxItem> Enqueue(domain::OutboxItem item) = 0;

  // Up to `limit` queued items due at `now`, earliest due first: each is moved to sending with
  // one more attempt, `prepare` applied to it (to name the message a reply becomes), and stored
  // durably before it is returned.
  virtual core::Result<std::vector<domain::OutboxItem>> Claim(
      domain::Timestamp now, int limit,
      const std::function<void(domain::OutboxItem&)>& prepare) = 0;

  // Stores the outcome of an attempt: sent, failed, unconfirmed, or queued again for
  // next_attempt_at.
  // kNotFound for an unknown id; kFailedPrecondition unless the item is sending.
  virtual core::Status Finish(const domain::OutboxItem& item) = 0;

  // The items a previous run left sending, moved to unconfirmed (error_code "unconfirmed").
  virtual core::Result<std::vector<domain::OutboxItem>> RecoverInDoubt(domain::Timestamp now) = 0;

  // An unconfirmed or failed item queued again by someone who checked the platform, with its
  // attempts counted afresh. kFailedPrecondition from any other state.
  virtual core::Status Requeue(domain::OutboxId id, domain::Timestamp at) = 0;

  // The platform showed that an unconfirmed item did arrive (its echo, a status webhook): sent,
  // with the platform's id. kFailedPrecondition unless the item is unconfirmed.
  virtual core::Status Confirm(domain::OutboxId id, const std::string& platform_id,
                               domain::Timestamp at) = 0;

  virtual core::Result<std::optional<domain::OutboxItem>> Get(domain::OutboxId id) = 0;
  // Items in `state` (any when nullopt) with id > after, in id order, at most `limit`.
  virtual core::Result<std::vector<domain::OutboxItem>> List(
      std::optional<domain::OutboxState> state, domain::OutboxId after, int limit) = 0;
  // When the earliest queued item is due; nullopt when nothing is queued.
  virtual core::Result<std::optional<domain::Timestamp>> NextDue() = 0;
};

}  // namespace parley::storage

namespace parley::storage::outbox_rules {

// The state changes every backend applies the same way, written once.

// Enqueue: a fresh queued item.
void PrepareEnqueued(domain::OutboxItem& item);
// Claim: sending, one more attempt.
void MarkClaimed(domain::OutboxItem& item);
// Finish: REQUIRES nothing; checks that `stored` is sending and `outcome` a valid end of an
// attempt, and returns what to store.
core::Result<domain::OutboxItem> Finished(const domain::OutboxItem& stored,
                                          const domain::OutboxItem& outcome);
// RecoverInDoubt: a sending item becomes unconfirmed.
void MarkInDoubt(domain::OutboxItem& item, domain::Timestamp now);
// Requeue: checks the state and queues it again.
core::Status Requeued(domain::OutboxItem& item, domain::Timestamp at);
// Confirm: checks the state and marks it sent.
core::Status Confirmed(domain::OutboxItem& item, const std::string& platform_id,
                       domain::Timestamp at);

}  // namespace parley::storage::outbox_rules
