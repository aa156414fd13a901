// A thin RAII layer over the SQLite C API: a connection, prepared statements, transactions.
// Errors come back as core::Status with SQLite's message. Not thread-safe: one Database per
// thread, or guarded by the owner's mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "parley/core/result.h"

namespace parley::sqlite {

enum class Durability {
  kNormal,  // WAL with synchronous=NORMAL: survives a process crash, may lose the last commits
            // on power loss
  kFull,    // WAL with synchronous=FULL: every commit is fsync'd before it returns
};

// A prepared statement kept by its Database for reuse; see Database::Prepare.
struct CachedStatement {
  sqlite3_stmt* stmt = nullptr;
  bool in_use = false;
};

class Statement {
 public:
  Statement() = default;
  // Owns `stmt` (finalized on destruction), or borrows it from the cache when `cached` is given
  // (reset and returned to the cache on destruction).
  Statement(sqlite3* db, sqlite3_stmt* stmt, CachedStatement* cached = nullptr)
      : db_(db), stmt_(stmt), cached_(cached) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Bind by 1-based index. Text and blobs are copied (SQLITE_TRANSIENT).
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);

  // Returns true while a row is available, false when done.
  core::Result<bool> Step();
  // Runs to completion, ignoring rows.
  core::Status Run();
  void Reset();

  std::int64_t ColumnInt(int index) const;
  std::string ColumnText(int index) const;
  std::string_view ColumnTextView(int index) const;  // valid until the next Step/Reset
  bool ColumnIsNull(int index) const;

 private:
  void Release();

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  CachedStatement* cached_ = nullptr;
};

class Database {
 public:
  // Opens (creating if needed) the file in WAL mode with foreign keys on.
  static core::Result<Database> Open(const std::string& path, Durability durability);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  core::Status Exec(std::string_view sql);
  // Prepares `sql`, reusing the statement prepared for the same text before: parsing and
  // planning are paid once per connection. The returned Statement gives it back when destroyed.
  // Statements whose text embeds values should bind them instead, or the cache grows with them.
  core::Result<Statement> Prepare(std::string_view sql);
  std::int64_t LastInsertRowId() const;
  int Changes() const;
  sqlite3* handle() { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  void Close();

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<CachedStatement>> cache_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  static core::Result<Transaction> Begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  core::Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

core::Error SqliteError(sqlite3* db, std::string_view what);

}  // namespace parley::sqlite
