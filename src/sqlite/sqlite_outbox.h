// The durable outbox on SQLite (outbox.db, apart from the store and the inbox: a few writes per
// reply, each fsync'd with synchronous=FULL, because "sending" must be on disk before the request
// leaves). Several processes may open the same file: `parley outbox` enqueues while a server
// sends.
//
// Thread-safety: thread-safe (one connection behind a mutex; the outbox is not on a hot path).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "parley/core/clock.h"
#include "parley/sqlite/database.h"
#include "parley/storage/outbox.h"

namespace parley::sqlite {

class SqliteOutbox final : public storage::Outbox {
 public:
  static core::Result<std::unique_ptr<SqliteOutbox>> Open(const std::string& path,
                                                          const core::Clock& clock);

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
  explicit SqliteOutbox(Database db) : db_(std::move(db)) {}
  // REQUIRES: mutex_ held.
  core::Status Write(const domain::OutboxItem& item);
  core::Result<std::optional<domain::OutboxItem>> Load(domain::OutboxId id);
  // Applies `change` to the stored item in one transaction and writes it if the change succeeds.
  core::Status Update(domain::OutboxId id,
                      const std::function<core::Status(domain::OutboxItem&)>& change);

  std::mutex mutex_;
  Database db_;  // GUARDED_BY(mutex_)
};

}  // namespace parley::sqlite
