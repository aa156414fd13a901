#include "parley/sqlite/sqlite_outbox.h"

#include "parley/domain/json_codec.h"
#include "parley/sqlite/migrations.h"
#include "parley/telemetry/log.h"

namespace parley::sqlite {

using domain::OutboxItem;
using domain::OutboxState;

namespace {

core::Result<OutboxItem> Decode(std::string_view document) {
  return domain::DecodeJson<OutboxItem>(document);
}

// Every row of a statement that selects documents.
core::Result<std::vector<OutboxItem>> ReadItems(Statement& stmt) {
  std::vector<OutboxItem> out;
  while (true) {
    auto row = stmt.Step();
    PARLEY_TRY(row);
    if (!*row) break;
    auto item = Decode(stmt.ColumnTextView(0));
    PARLEY_TRY(item);
    out.push_back(std::move(item).value());
  }
  return out;
}

std::string StateName(OutboxState state) { return std::string(domain::ToString(state)); }

}  // namespace

core::Result<std::unique_ptr<SqliteOutbox>> SqliteOutbox::Open(const std::string& path,
                                                               const core::Clock& clock) {
  auto db = Database::Open(path, Durability::kFull);
  PARLEY_TRY(db);
  PARLEY_TRY(Migrate(*db, OutboxMigrations(), clock.Now()));
  return std::unique_ptr<SqliteOutbox>(new SqliteOutbox(std::move(db).value()));
}

core::Status SqliteOutbox::Write(const OutboxItem& item) {
  auto stmt = db_.Prepare(
      "INSERT INTO outbox (id, state, next_attempt_at, document) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (id) DO UPDATE SET state = excluded.state, "
      "next_attempt_at = excluded.next_attempt_at, document = excluded.document");
  PARLEY_TRY(stmt);
  stmt->Bind(1, item.id.value())
      .Bind(2, StateName(item.state))
      .Bind(3, core::ToMillis(item.next_attempt_at))
      .Bind(4, domain::EncodeJson(item));
  return stmt->Run();
}

core::Result<std::optional<OutboxItem>> SqliteOutbox::Load(domain::OutboxId id) {
  auto stmt = db_.Prepare("SELECT document FROM outbox WHERE id = ?1");
  PARLEY_TRY(stmt);
  stmt->Bind(1, id.value());
  auto row = stmt->Step();
  PARLEY_TRY(row);
  if (!*row) return std::optional<OutboxItem>();
  auto item = Decode(stmt->ColumnTextView(0));
  PARLEY_TRY(item);
  return std::optional<OutboxItem>(std::move(item).value());
}

core::Result<OutboxItem> SqliteOutbox::Enqueue(OutboxItem item) {
  storage::outbox_rules::PrepareEnqueued(item);
  std::lock_guard lock(mutex_);
  auto tx = Transaction::Begin(db_);
  PARLEY_TRY(tx);
  auto insert =
      db_.Prepare("INSERT INTO outbox (state, next_attempt_at, document) VALUES (?1, ?2, '{}')");
  PARLEY_TRY(insert);
  insert->Bind(1, StateName(item.state)).Bind(2, core::ToMillis(item.next_attempt_at));
  PARLEY_TRY(insert->Run());
  item.id = domain::OutboxId(db_.LastInsertRowId());
  PARLEY_TRY(Write(item));
  PARLEY_TRY(tx->Commit());
  return item;
}

core::Result<std::vector<OutboxItem>> SqliteOutbox::Claim(
    domain::Timestamp now, int limit, const std::function<void(OutboxItem&)>& prepare) {
  std::lock_guard lock(mutex_);
  auto tx = Transaction::Begin(db_);
  PARLEY_TRY(tx);
  auto stmt = db_.Prepare(
      "SELECT id, document FROM outbox WHERE state = 'queued' AND next_attempt_at <= ?1 "
      "ORDER BY next_attempt_at, id LIMIT ?2");
  PARLEY_TRY(stmt);
  stmt->Bind(1, core::ToMillis(now)).Bind(2, limit);
  std::vector<OutboxItem> claimed;
  std::vector<std::pair<std::int64_t, std::string>> corrupt;
  while (true) {
    auto row = stmt->Step();
    PARLEY_TRY(row);
    if (!*row) break;
    auto item = Decode(stmt->ColumnTextView(1));
    if (item.ok()) {
      claimed.push_back(std::move(item).value());
    } else {
      corrupt.emplace_back(stmt->ColumnInt(0), item.error().message);
    }
  }
  stmt->Reset();
  // A row that no longer decodes is set aside (state 'corrupt', kept for inspection) rather
  // than blocking every claim after it.
  for (const auto& [id, why] : corrupt) {
    telemetry::LogError("outbound.corrupt_item", {{"outbox", id}, {"error", why}});
    auto quarantine = db_.Prepare("UPDATE outbox SET state = 'corrupt' WHERE id = ?1");
    PARLEY_TRY(quarantine);
    quarantine->Bind(1, id);
    PARLEY_TRY(quarantine->Run());
  }
  for (auto& item : claimed) {
    storage::outbox_rules::MarkClaimed(item);
    if (prepare) prepare(item);
    PARLEY_TRY(Write(item));
  }
  PARLEY_TRY(tx->Commit());
  return claimed;
}

core::Status SqliteOutbox::Finish(const OutboxItem& item) {
  std::lock_guard lock(mutex_);
  auto tx = Transaction::Begin(db_);
  PARLEY_TRY(tx);
  auto stored = Load(item.id);
  PARLEY_TRY(stored);
  if (!stored->has_value()) {
    return core::MakeError(core::ErrorCode::kNotFound, "no outbox item " + item.id.ToString());
  }
  auto next = storage::outbox_rules::Finished(**stored, item);
  PARLEY_TRY(next);
  PARLEY_TRY(Write(*next));
  return tx->Commit();
}

core::Result<std::vector<OutboxItem>> SqliteOutbox::RecoverInDoubt(domain::Timestamp now) {
  std::lock_guard lock(mutex_);
  auto tx = Transaction::Begin(db_);
  PARLEY_TRY(tx);
  auto stmt = db_.Prepare("SELECT document FROM outbox WHERE state = 'sending' ORDER BY id");
  PARLEY_TRY(stmt);
  auto in_doubt = ReadItems(*stmt);
  PARLEY_TRY(in_doubt);
  stmt->Reset();
  for (auto& item : *in_doubt) {
    storage::outbox_rules::MarkInDoubt(item, now);
    PARLEY_TRY(Write(item));
  }
  PARLEY_TRY(tx->Commit());
  return in_doubt;
}

core::Status SqliteOutbox::Update(domain::OutboxId id,
                                  const std::function<core::Status(OutboxItem&)>& change) {
  std::lock_guard lock(mutex_);
  auto tx = Transaction::Begin(db_);
  PARLEY_TRY(tx);
  auto stored = Load(id);
  PARLEY_TRY(stored);
  if (!stored->has_value()) {
    return core::MakeError(core::ErrorCode::kNotFound, "no outbox item " + id.ToString());
  }
  OutboxItem item = std::move(**stored);
  PARLEY_TRY(change(item));
  PARLEY_TRY(Write(item));
  return tx->Commit();
}

core::Status SqliteOutbox::Requeue(domain::OutboxId id, domain::Timestamp at) {
  return Update(id, [&](OutboxItem& item) { return storage::outbox_rules::Requeued(item, at); });
}

core::Status SqliteOutbox::Confirm(domain::OutboxId id, const std::string& platform_id,
                                   domain::Timestamp at) {
  return Update(id, [&](OutboxItem& item) {
    return storage::outbox_rules::Confirmed(item, platform_id, at);
  });
}

core::Result<std::optional<OutboxItem>> SqliteOutbox::Get(domain::OutboxId id) {
  std::lock_guard lock(mutex_);
  return Load(id);
}

core::Result<std::vector<OutboxItem>> SqliteOutbox::List(std::optional<OutboxState> state,
                                                         domain::OutboxId after, int limit) {
  std::lock_guard lock(mutex_);
  auto stmt = db_.Prepare(state ? "SELECT document FROM outbox WHERE id > ?1 AND state = ?3 "
                                  "ORDER BY id LIMIT ?2"
                                : "SELECT document FROM outbox WHERE id > ?1 ORDER BY id LIMIT ?2");
  PARLEY_TRY(stmt);
  stmt->Bind(1, after.value()).Bind(2, limit);
  if (state) stmt->Bind(3, StateName(*state));
  return ReadItems(*stmt);
}

core::Result<std::optional<domain::Timestamp>> SqliteOutbox::NextDue() {
  std::lock_guard lock(mutex_);
  auto stmt = db_.Prepare("SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'queued'");
  PARLEY_TRY(stmt);
  auto row = stmt->Step();
  PARLEY_TRY(row);
  if (!*row || stmt->ColumnIsNull(0)) return std::optional<domain::Timestamp>();
  return std::optional<domain::Timestamp>(core::FromMillis(stmt->ColumnInt(0)));
}

}  // namespace parley::sqlite
