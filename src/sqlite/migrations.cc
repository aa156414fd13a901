#include "parley/sqlite/migrations.h"

namespace parley::sqlite {
namespace {

constexpr Migration kStoreMigrations[] = {
    {1, "documents, messages, conversations, customers, audit trail", R"sql(
CREATE TABLE documents (
  kind INTEGER NOT NULL,
  id INTEGER NOT NULL,
  workspace_id INTEGER NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX documents_by_workspace ON documents (kind, workspace_id, id);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  workspace_id INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL,
  channel_account_id INTEGER NOT NULL,
  platform_id TEXT,
  published_at INTEGER NOT NULL,
  doc TEXT NOT NULL
);
CREATE UNIQUE INDEX messages_by_platform_id ON messages (channel_account_id, platform_id)
  WHERE platform_id IS NOT NULL;
CREATE INDEX messages_by_conversation ON messages (conversation_id, published_at, id);
CREATE INDEX messages_by_workspace ON messages (workspace_id, id);

CREATE TABLE conversations (
  id INTEGER PRIMARY KEY,
  workspace_id INTEGER NOT NULL,
  status INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  team_id INTEGER NOT NULL,
  assignee_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX conversations_by_priority ON conversations (workspace_id, priority DESC, due_at, id);
CREATE INDEX conversations_by_recency ON conversations (workspace_id, updated_at DESC, id DESC);
CREATE INDEX conversations_by_customer ON conversations (customer_id, id);
CREATE INDEX conversations_by_assignee ON conversations (assignee_id, status);

CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  workspace_id INTEGER NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX customers_by_workspace ON customers (workspace_id, id);
CREATE TABLE customer_identities (
  workspace_id INTEGER NOT NULL,
  channel INTEGER NOT NULL,
  platform_user_id TEXT NOT NULL,
  customer_id INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, channel, platform_user_id)
) WITHOUT ROWID;
CREATE INDEX customer_identities_by_customer ON customer_identities (customer_id);

CREATE TABLE audit_events (
  sequence INTEGER PRIMARY KEY,
  workspace_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  action TEXT NOT NULL,
  doc TEXT NOT NULL,
  hash TEXT NOT NULL
);
)sql"},
    {2, "replies findable by their parent's platform id", R"sql(
ALTER TABLE messages ADD COLUMN in_reply_to TEXT;
UPDATE messages SET in_reply_to = json_extract(doc, '$.in_reply_to_platform_id')
  WHERE json_extract(doc, '$.in_reply_to_platform_id') <> '';
CREATE INDEX messages_by_parent ON messages (channel_account_id, in_reply_to)
  WHERE in_reply_to IS NOT NULL;
)sql"},
    {3, "documents findable by the conversation they belong to (notes)", R"sql(
ALTER TABLE documents ADD COLUMN parent_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX documents_by_parent ON documents (kind, parent_id, id) WHERE parent_id <> 0;
)sql"},
};

constexpr Migration kInboxMigrations[] = {
    {1, "raw payloads", R"sql(
CREATE TABLE raw_payloads (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  channel INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  source TEXT NOT NULL,
  headers TEXT NOT NULL,
  body BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  state INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  processed_at INTEGER
);
CREATE INDEX raw_payloads_by_state ON raw_payloads (state, id);
)sql"},
    // Only pending payloads and dead letters are ever looked up by state: partial indexes keep
    // them, and marking a payload processed only removes an entry instead of moving it.
    {2, "partial indexes by state", R"sql(
DROP INDEX raw_payloads_by_state;
CREATE INDEX raw_payloads_pending ON raw_payloads (id) WHERE state = 0;
CREATE INDEX raw_payloads_dead ON raw_payloads (id) WHERE state = 2;
)sql"},
};

constexpr Migration kOutboxMigrations[] = {
    {1, "outbox", R"sql(
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  state TEXT NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  document TEXT NOT NULL
);
CREATE INDEX outbox_by_state ON outbox (state, next_attempt_at, id);
)sql"},
};

}  // namespace

std::span<const Migration> StoreMigrations() { return kStoreMigrations; }
std::span<const Migration> InboxMigrations() { return kInboxMigrations; }
std::span<const Migration> OutboxMigrations() { return kOutboxMigrations; }

core::Result<int> SchemaVersion(Database& db) {
  PARLEY_TRY(db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
      "NULL, applied_at INTEGER NOT NULL)"));
  auto stmt = db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  PARLEY_TRY(stmt);
  auto row = stmt->Step();
  PARLEY_TRY(row);
  return static_cast<int>(stmt->ColumnInt(0));
}

core::Result<std::vector<int>> Migrate(Database& db, std::span<const Migration> migrations,
                                       core::Timestamp now) {
  auto current = SchemaVersion(db);
  PARLEY_TRY(current);
  const int known = migrations.empty() ? 0 : migrations.back().version;
  if (*current > known) {
    return core::MakeError(core::ErrorCode::kFailedPrecondition,
                           "database schema version " + std::to_string(*current) +
                               " is newer than this binary knows (" + std::to_string(known) +
                               "); run a newer Parley");
  }
  std::vector<int> applied;
  for (const Migration& migration : migrations) {
    if (migration.version <= *current) continue;
    auto tx = Transaction::Begin(db);
    PARLEY_TRY(tx);
    auto status = db.Exec(migration.sql);
    if (!status.ok()) {
      return core::MakeError(status.error().code, "migration " + std::to_string(migration.version) +
                                                      " (" + std::string(migration.name) +
                                                      "): " + status.error().message);
    }
    auto record =
        db.Prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    PARLEY_TRY(record);
    record->Bind(1, migration.version).Bind(2, migration.name).Bind(3, core::ToMillis(now));
    PARLEY_TRY(record->Run());
    PARLEY_TRY(tx->Commit());
    applied.push_back(migration.version);
  }
  return applied;
}

}  // namespace parley::sqlite
