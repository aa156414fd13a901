// The embedded Store: one SQLite file in WAL mode (parley.db under the data directory).
//
// Thread-safety: thread-safe. Writes are serialised on a writer connection; reads use a separate
// connection, so readers never wait for a commit's fsync.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "parley/core/clock.h"
#include "parley/sqlite/checkpointer.h"
#include "parley/sqlite/database.h"
#include "parley/storage/store.h"

namespace parley::sqlite {

class SqliteStore final : public storage::Store {
 public:
  // Opens or creates the database at `path` and applies pending migrations.
  static core::Result<std::unique_ptr<SqliteStore>> Open(
      const std::string& path, const core::Clock& clock,
      Durability durability = Durability::kNormal);
  ~SqliteStore() override;

  core::Status Apply(const storage::WriteBatch& batch) override;
  core::Result<std::optional<std::string>> GetDocument(storage::EntityKind kind,
                                                       std::int64_t id) override;
  core::Result<std::vector<std::string>> ListDocuments(storage::EntityKind kind,
                                                       domain::WorkspaceId workspace,
                                                       std::int64_t after_id, int limit) override;
  core::Result<std::int64_t> CountDocuments(storage::EntityKind kind,
                                            domain::WorkspaceId workspace) override;
  core::Result<std::optional<storage::MessageRef>> FindMessageByPlatformId(
      domain::ChannelAccountId account, std::string_view platform_message_id) override;
  core::Result<std::optional<domain::CustomerId>> FindCustomerByIdentity(
      domain::WorkspaceId workspace, domain::ChannelKind channel,
      std::string_view platform_user_id) override;
  core::Result<std::vector<std::string>> ListRepliesTo(domain::ChannelAccountId account,
                                                       std::string_view parent_platform_id,
                                                       int limit) override;
  core::Result<std::vector<std::string>> ListConversationMessages(
      domain::ConversationId conversation, int limit) override;
  core::Result<std::vector<std::string>> ListByParent(storage::EntityKind kind, std::int64_t parent,
                                                      int limit, Order order) override;
  core::Result<storage::ConversationPage> QueryConversations(
      const storage::ConversationQuery& query) override;
  core::Result<domain::AuditEvent> AppendAudit(domain::AuditEvent event) override;
  core::Result<std::vector<domain::AuditEvent>> ListAudit(std::int64_t after_sequence,
                                                          int limit) override;

 private:
  SqliteStore(Database writer, Database reader, std::unique_ptr<Checkpointer> checkpointer)
      : writer_(std::move(writer)),
        reader_(std::move(reader)),
        checkpointer_(std::move(checkpointer)) {
    checkpointer_->Attach(writer_);
  }
  core::Status ApplyLocked(const storage::WriteBatch& batch);

  std::mutex write_mutex_;
  Database writer_;  // GUARDED_BY(write_mutex_)
  std::mutex read_mutex_;
  Database reader_;  // GUARDED_BY(read_mutex_)
  // Declared last: destroyed first, with a last checkpoint while both connections are open.
  std::unique_ptr<Checkpointer> checkpointer_;
};

}  // namespace parley::sqlite
