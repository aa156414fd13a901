// A Store kept in memory: the reference implementation of the contract, used by unit tests and by
// the simulator. Thread-safe (one mutex).
#pragma once

#include <map>
#include <mutex>

#include "parley/storage/store.h"

namespace parley::storage {

class MemoryStore final : public Store {
 public:
  core::Status Apply(const WriteBatch& batch) override;
  core::Result<std::optional<std::string>> GetDocument(EntityKind kind, std::int64_t id) override;
  core::Result<std::vector<std::string>> ListDocuments(EntityKind kind,
                                                       domain::WorkspaceId workspace,
                                                       std::int64_t after_id, int limit) override;
  core::Result<std::int64_t> CountDocuments(EntityKind kind,
                                            domain::WorkspaceId workspace) override;
  core::Result<std::optional<MessageRef>> FindMessageByPlatformId(
      domain::ChannelAccountId account, std::string_view platform_message_id) override;
  core::Result<std::optional<domain::CustomerId>> FindCustomerByIdentity(
      domain::WorkspaceId workspace, domain::ChannelKind channel,
      std::string_view platform_user_id) override;
  core::Result<std::vector<std::string>> ListRepliesTo(domain::ChannelAccountId account,
                                                       std::string_view parent_platform_id,
                                                       int limit) override;
  core::Result<std::vector<std::string>> ListConversationMessages(
      domain::ConversationId conversation, int limit) override;
  core::Result<std::vector<std::string>> ListByParent(EntityKind kind, std::int64_t parent,
                                                      int limit, Order order) override;
  core::Result<ConversationPage> QueryConversations(const ConversationQuery& query) override;
  core::Result<domain::AuditEvent> AppendAudit(domain::AuditEvent event) override;
  core::Result<std::vector<domain::AuditEvent>> ListAudit(std::int64_t after_sequence,
                                                          int limit) override;

 private:
  using Key = std::pair<EntityKind, std::int64_t>;
  using IdentityKey = std::tuple<std::int64_t, int, std::string>;  // workspace, channel, user id

  std::mutex mutex_;
  std::map<Key, Document> documents_;                                         // GUARDED_BY(mutex_)
  std::map<std::pair<std::int64_t, std::string>, std::int64_t> message_ids_;  // GUARDED_BY(mutex_)
  std::map<IdentityKey, std::int64_t> customer_ids_;                          // GUARDED_BY(mutex_)
  std::vector<domain::AuditEvent> audit_;                                     // GUARDED_BY(mutex_)
};

}  // namespace parley::storage
