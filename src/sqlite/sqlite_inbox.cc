#include "parley/sqlite/sqlite_inbox.h"

#include <algorithm>
#include <future>

#include "parley/sqlite/migrations.h"

namespace parley::sqlite {
namespace {

constexpr std::string_view kColumns =
    "id, channel, account_id, source, headers, body, received_at, state, attempts, error, "
    "processed_at";

storage::RawPayload ReadPayload(const Statement& stmt) {
  storage::RawPayload p;
  p.id = domain::RawPayloadId(stmt.ColumnInt(0));
  p.channel = static_cast<domain::ChannelKind>(stmt.ColumnInt(1));
  p.account_id = domain::ChannelAccountId(stmt.ColumnInt(2));
  p.source = stmt.ColumnText(3);
  p.headers_json = stmt.ColumnText(4);
  p.body = stmt.ColumnText(5);
  p.received_at = core::FromMillis(stmt.ColumnInt(6));
  p.state = static_cast<domain::PayloadState>(stmt.ColumnInt(7));
  p.attempts = static_cast<int>(stmt.ColumnInt(8));
  p.error = stmt.ColumnText(9);
  if (!stmt.ColumnIsNull(10)) p.processed_at = core::FromMillis(stmt.ColumnInt(10));
  return p;
}

}  // namespace

core::Result<std::unique_ptr<SqliteInbox>> SqliteInbox::Open(const std::string& path,
                                                             const core::Clock& clock,
                                                             InboxOptions options) {
  auto writer = Database::Open(path, Durability::kFull);
  PARLEY_TRY(writer);
  PARLEY_TRY(Migrate(*writer, InboxMigrations(), clock.Now()));
  auto reader = Database::Open(path, Durability::kNormal);  // reads only
  PARLEY_TRY(reader);
  return std::unique_ptr<SqliteInbox>(
      new SqliteInbox(std::move(writer).value(), std::move(reader).value(), options));
}

SqliteInbox::SqliteInbox(Database writer, Database reader, InboxOptions options)
    : options_(options), writer_(std::move(writer)), reader_(std::move(reader)) {
  writer_thread_ = std::thread([this] { WriterLoop(); });
}

SqliteInbox::~SqliteInbox() { Close(); }

void SqliteInbox::Close() {
  {
    std::lock_guard lock(queue_mutex_);
    if (closing_ && !writer_thread_.joinable()) return;
    closing_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
}

void SqliteInbox::SetCommitListener(std::function<void()> listener) {
  listener_ = std::move(listener);
}

void SqliteInbox::Append(storage::RawPayload payload, AppendCallback done) {
  {
    std::lock_guard lock(queue_mutex_);
    if (!closing_) {
      queue_.push_back(Pending{std::move(payload), std::move(done), {}, {}});
      queue_cv_.notify_one();
      return;
    }
  }
  done(core::MakeError(core::ErrorCode::kUnavailable, "inbox is closed"));
}

void SqliteInbox::WriterLoop() {
  std::vector<Pending> batch;
  while (true) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and everything queued has been committed
      while (!queue_.empty() && std::ssize(batch) < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
    batch.clear();
  }
}

void SqliteInbox::CommitBatch(std::vector<Pending>& batch) {
  auto fail_all = [&batch](const core::Error& error) {
    for (auto& pending : batch) {
      if (pending.update) {
        pending.updated(error);
      } else {
        pending.done(error);
      }
    }
  };
  auto tx = Transaction::Begin(writer_);
  if (!tx.ok()) return fail_all(tx.error());
  auto insert = writer_.Prepare(
      "INSERT INTO raw_payloads (channel, account_id, source, headers, body, received_at, state) "
      "VALUES (?, ?, ?, ?, ?, ?, 0)");
  if (!insert.ok()) return fail_all(insert.error());
  std::vector<std::int64_t> ids(batch.size(), 0);
  std::vector<core::Status> updates(batch.size());
  std::int64_t appended = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& pending = batch[i];
    if (pending.update) {
      updates[i] = pending.update(writer_);
      continue;
    }
    const auto& p = pending.payload;
    insert->Bind(1, static_cast<int>(p.channel))
        .Bind(2, p.account_id.value())
        .Bind(3, p.source)
        .Bind(4, p.headers_json.empty() ? std::string_view("{}") : std::string_view(p.headers_json))
        .BindBlob(5, p.body)
        .Bind(6, core::ToMillis(p.received_at));
    auto status = insert->Run();
    if (!status.ok()) return fail_all(status.error());
    ids[i] = writer_.LastInsertRowId();
    ++appended;
  }
  insert = Statement();  // give the statement back before the commit
  auto committed = tx->Commit();
  if (!committed.ok()) return fail_all(committed.error());
  {
    std::lock_guard lock(queue_mutex_);
    ++stats_.commits;
    stats_.appended += appended;
    stats_.largest_batch = std::max(stats_.largest_batch, appended);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].update) {
      batch[i].updated(updates[i]);
    } else {
      batch[i].done(domain::RawPayloadId(ids[i]));
    }
  }
  if (appended > 0 && listener_) listener_();
}

core::Status SqliteInbox::RunOnWriter(std::function<core::Status(Database&)> update) {
  std::promise<core::Status> promise;
  auto future = promise.get_future();
  {
    std::lock_guard lock(queue_mutex_);
    if (closing_) return core::MakeError(core::ErrorCode::kUnavailable, "inbox is closed");
    Pending pending;
    pending.update = std::move(update);
    pending.updated = [&promise](core::Status status) { promise.set_value(std::move(status)); };
    queue_.push_back(std::move(pending));
    queue_cv_.notify_one();
  }
  return future.get();
}

SqliteInbox::Stats SqliteInbox::stats() {
  std::lock_guard lock(queue_mutex_);
  return stats_;
}

core::Result<std::vector<storage::RawPayload>> SqliteInbox::Select(std::string_view where,
                                                                   std::int64_t a, std::int64_t b,
                                                                   int limit) {
  std::string sql = "SELECT ";
  sql += kColumns;
  sql += " FROM raw_payloads WHERE ";
  sql += where;
  std::lock_guard lock(read_mutex_);
  auto stmt = reader_.Prepare(sql);
  PARLEY_TRY(stmt);
  stmt->Bind(1, a).Bind(2, b).Bind(3, limit);
  std::vector<storage::RawPayload> out;
  while (true) {
    auto row = stmt->Step();
    PARLEY_TRY(row);
    if (!*row) break;
    out.push_back(ReadPayload(*stmt));
  }
  return out;
}

core::Result<std::vector<storage::RawPayload>> SqliteInbox::FetchPending(domain::RawPayloadId after,
                                                                         int limit) {
  // The state is written out (not bound) so that SQLite uses the partial index.
  static_assert(static_cast<int>(domain::PayloadState::kPending) == 0);
  return Select("state = 0 AND ?2 = ?2 AND id > ?1 ORDER BY id LIMIT ?3", after.value(), 0, limit);
}

core::Result<std::vector<storage::RawPayload>> SqliteInbox::ListDeadLetters(
    domain::RawPayloadId after, int limit) {
  static_assert(static_cast<int>(domain::PayloadState::kDeadLetter) == 2);
  return Select("state = 2 AND ?2 = ?2 AND id > ?1 ORDER BY id LIMIT ?3", after.value(), 0, limit);
}

core::Result<std::optional<storage::RawPayload>> SqliteInbox::Get(domain::RawPayloadId id) {
  auto rows = Select("id = ?1 AND ?2 = ?2 LIMIT ?3", id.value(), 0, 1);
  PARLEY_TRY(rows);
  if (rows->empty()) return std::optional<storage::RawPayload>();
  return std::optional<storage::RawPayload>(std::move(rows->front()));
}

core::Status SqliteInbox::MarkProcessed(const std::vector<domain::RawPayloadId>& ids,
                                        domain::Timestamp at) {
  if (ids.empty()) return core::Ok();
  return RunOnWriter([&ids, at](Database& db) -> core::Status {
    auto update = db.Prepare(
        "UPDATE raw_payloads SET state = ?, processed_at = ?, attempts = attempts + 1 WHERE id = "
        "? AND state = ?");
    PARLEY_TRY(update);
    for (auto id : ids) {
      update->Bind(1, static_cast<int>(domain::PayloadState::kProcessed))
          .Bind(2, core::ToMillis(at))
          .Bind(3, id.value())
          .Bind(4, static_cast<int>(domain::PayloadState::kPending));
      PARLEY_TRY(update->Run());
    }
    return core::Ok();
  });
}

core::Status SqliteInbox::MarkDeadLetter(domain::RawPayloadId id, std::string reason) {
  return RunOnWriter([id, &reason](Database& db) -> core::Status {
    auto update = db.Prepare(
        "UPDATE raw_payloads SET state = ?, error = ?, attempts = attempts + 1 WHERE id = ? AND "
        "state = ?");
    PARLEY_TRY(update);
    update->Bind(1, static_cast<int>(domain::PayloadState::kDeadLetter))
        .Bind(2, reason)
        .Bind(3, id.value())
        .Bind(4, static_cast<int>(domain::PayloadState::kPending));
    PARLEY_TRY(update->Run());
    if (db.Changes() == 0) {
      return core::MakeError(core::ErrorCode::kFailedPrecondition,
                             "payload " + id.ToString() + " is not pending");
    }
    return core::Ok();
  });
}

core::Status SqliteInbox::Replay(domain::RawPayloadId id) {
  return RunOnWriter([id](Database& db) -> core::Status {
    auto update =
        db.Prepare("UPDATE raw_payloads SET state = ?, error = '' WHERE id = ? AND state = ?");
    PARLEY_TRY(update);
    update->Bind(1, static_cast<int>(domain::PayloadState::kPending))
        .Bind(2, id.value())
        .Bind(3, static_cast<int>(domain::PayloadState::kDeadLetter));
    PARLEY_TRY(update->Run());
    if (db.Changes() == 1) return core::Ok();
    auto exists = db.Prepare("SELECT 1 FROM raw_payloads WHERE id = ?");
    PARLEY_TRY(exists);
    exists->Bind(1, id.value());
    auto row = exists->Step();
    PARLEY_TRY(row);
    if (!*row) return core::MakeError(core::ErrorCode::kNotFound, "no payload " + id.ToString());
    return core::MakeError(core::ErrorCode::kFailedPrecondition,
                           "payload " + id.ToString() + " is not a dead letter");
  });
}

core::Result<storage::InboxCounts> SqliteInbox::Counts() {
  // Pending and dead letters come from their partial indexes; processed is everything else.
  // Payloads are never deleted and AUTOINCREMENT leaves no gaps that survive a commit, so the
  // highest id ever given is the number of payloads — without scanning the table.
  std::lock_guard lock(read_mutex_);
  auto stmt = reader_.Prepare(
      "SELECT (SELECT COUNT(*) FROM raw_payloads WHERE state = 0), "
      "(SELECT COUNT(*) FROM raw_payloads WHERE state = 2), "
      "(SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'raw_payloads')");
  PARLEY_TRY(stmt);
  auto row = stmt->Step();
  PARLEY_TRY(row);
  storage::InboxCounts counts;
  counts.pending = stmt->ColumnInt(0);
  counts.dead_letters = stmt->ColumnInt(1);
  counts.processed =
      std::max<std::int64_t>(0, stmt->ColumnInt(2) - counts.pending - counts.dead_letters);
  return counts;
}

}  // namespace parley::sqlite
