// Versioned schema migrations, applied in order inside one transaction each and recorded in
// schema_migrations. A database whose schema is newer than this binary knows is refused rather
// than guessed at.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "parley/core/result.h"
#include "parley/core/time.h"
#include "parley/sqlite/database.h"

namespace parley::sqlite {

struct Migration {
  int version;  // 1, 2, 3, ... without gaps
  std::string_view name;
  std::string_view sql;
};

// The migrations of the main database (parley.db), the raw inbox (inbox.db) and the outbox
// (outbox.db).
std::span<const Migration> StoreMigrations();
std::span<const Migration> InboxMigrations();
std::span<const Migration> OutboxMigrations();

// Applies every migration newer than the database's version; returns the versions applied.
core::Result<std::vector<int>> Migrate(Database& db, std::span<const Migration> migrations,
                                       core::Timestamp now);

// The highest applied version (0 for a new database).
core::Result<int> SchemaVersion(Database& db);

}  // namespace parley::sqlite
