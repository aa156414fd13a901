// An Outbox in memory, for unit tests and the simulator. Thread-safe.
#pragma once

#include <map>
#include <mutex>

#include "parley/storage/outbox.h"

namespace parley::storage {

class MemoryOutbox final : public Outbox {
 public:
  core::Result<domain::OutboxItem> Enqueue(domain::OutboxItem item) override;
  core::Result<std::vector<domain::OutboxItem>> Claim(
      domain::Timestamp now, int limit,
      const std::function<void(domain::OutboxItem&)>& prepare) override;
  core::Status Finish(const domain::OutboxItem& item) override;
  core::Result<std::vector<domain::OutboxItem>> RecoverInDoubt(domain::Timestamp now) override;
  core::Status Requeue(domain::OutboxId id, domain::Timestamp at) override;
  core::Status Confirm(domain::OutboxId id, const std::string& platform_id,
                       domain::Timestamp at) override;
  core::Result<std::optional<domain::OutboxItem>> Get(domain::OutboxId id) override;
  core::Result<std::vector<domain::OutboxItem>> List(std::optional<domain::OutboxState> state,
                                                     domain::OutboxId after, int limit) override;
  core::Result<std::optional<domain::Timestamp>> NextDue() override;

 private:
  // Applies `change` to a copy of the item and stores it if the change succeeds.
  core::Status Update(domain::OutboxId id,
                      const std::function<core::Status(domain::OutboxItem&)>& change);

  std::mutex mutex_;
  std::map<std::int64_t, domain::OutboxItem> items_;  // GUARDED_BY(mutex_)
  std::int64_t next_id_ = 1;                          // GUARDED_BY(mutex_)
};

}  // namespace parley::storage
