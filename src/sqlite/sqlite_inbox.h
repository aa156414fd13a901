// The durable raw inbox on SQLite (inbox.db, apart from parley.db so that appends never wait for
// the engine's writes). Appends are group-committed by one writer thread: every payload queued
// while a commit is in flight goes into the next transaction, and each commit is fsync'd
// (synchronous=FULL) before any of its callbacks run. At low load that is one fsync per payload
// with no added wait; under load, one fsync per batch.
//
// Thread-safety: thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "parley/sqlite/database.h"
#include "parley/storage/raw_inbox.h"

namespace parley::sqlite {

struct InboxOptions {
  int max_batch = 1024;  // payloads per transaction at most
};

class SqliteInbox final : public storage::RawInbox {
 public:
  static core::Result<std::unique_ptr<SqliteInbox>> Open(const std::string& path,
                                                         const core::Clock& clock,
                                                         InboxOptions options = {});
  ~SqliteInbox() override;

  void Append(storage::RawPayload payload, AppendCallback done) override;
  core::Result<std::vector<storage::RawPayload>> FetchPending(domain::RawPayloadId after,
                                                              int limit) override;
  core::Status MarkProcessed(const std::vector<domain::RawPayloadId>& ids,
                             domain::Timestamp at) override;
  core::Status MarkDeadLetter(domain::RawPayloadId id, std::string reason) override;
  core::Result<std::vector<storage::RawPayload>> ListDeadLetters(domain::RawPayloadId after,
                                                                 int limit) override;
  core::Status Replay(domain::RawPayloadId id) override;
  core::Result<std::optional<storage::RawPayload>> Get(domain::RawPayloadId id) override;
  core::Result<storage::InboxCounts> Counts() override;
  void SetCommitListener(std::function<void()> listener) override;
  void Close() override;

  // Figures for /metrics.
  struct Stats {
    std::int64_t commits = 0;
    std::int64_t appended = 0;
    std::int64_t largest_batch = 0;
  };
  Stats stats();

 private:
  // One unit of work for the writer thread: an append, or a state update (marking processed or
  // dead, replaying). State updates go through the writer too, so that the file has one writer
  // and never waits on SQLite's lock.
  struct Pending {
    storage::RawPayload payload;
    AppendCallback done;                            // appends
    std::function<core::Status(Database&)> update;  // state updates
    std::function<void(core::Status)> updated;
  };
  // Runs `update` on the writer thread inside its next transaction and waits for the commit.
  core::Status RunOnWriter(std::function<core::Status(Database&)> update);

  SqliteInbox(Database writer, Database reader, InboxOptions options);
  void WriterLoop();
  void CommitBatch(std::vector<Pending>& batch);
  core::Result<std::vector<storage::RawPayload>> Select(std::string_view sql, std::int64_t a,
                                                        std::int64_t b, int limit);

  const InboxOptions options_;
  Database writer_;  // used only by the writer thread

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;  // GUARDED_BY(queue_mutex_)
  bool closing_ = false;       // GUARDED_BY(queue_mutex_)
  Stats stats_;                // GUARDED_BY(queue_mutex_)
  std::function<void()> listener_;

  std::mutex read_mutex_;
  Database reader_;  // GUARDED_BY(read_mutex_); reads only

  std::thread writer_thread_;
};

}  // namespace parley::sqlite
