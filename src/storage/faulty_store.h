// A Store that forwards to another and fails writes on demand: for tests that prove a failed
// write leaves no trace and is retried (leveldb's fault_injection_test, in spirit).
//
// Thread-safety: as the wrapped store; the failure switch is atomic.
#pragma once

#include <atomic>

#include "parley/storage/store.h"

namespace parley::storage {

class FaultyStore final : public Store {
 public:
  explicit FaultyStore(Store& inner) : inner_(inner) {}

  // The next `count` calls to Apply fail with `code` without writing.
  void FailNextApplies(int count, core::ErrorCode code = core::ErrorCode::kUnavailable) {
    code_.store(code);
    failures_left_.store(count);
  }

  core::Status Apply(const WriteBatch& batch) override {
    if (failures_left_.load() > 0) {
      failures_left_.fetch_sub(1);
      return core::MakeError(code_.load(), "injected write failure");
    }
    return inner_.Apply(batch);
  }
  core::Result<std::optional<std::string>> GetDocument(EntityKind kind, std::int64_t id) override {
    return inner_.GetDocument(kind, id);
  }
  core::Result<std::vector<std::string>> ListDocuments(EntityKind kind,
                                                       domain::WorkspaceId workspace,
                                                       std::int64_t after_id, int limit) override {
    return inner_.ListDocuments(kind, workspace, after_id, limit);
  }
  core::Result<std::int64_t> CountDocuments(EntityKind kind,
                                            domain::WorkspaceId workspace) override {
    return inner_.CountDocuments(kind, workspace);
  }
  core::Result<std::optional<MessageRef>> FindMessageByPlatformId(
      domain::ChannelAccountId account, std::string_view platform_message_id) override {
    return inner_.FindMessageByPlatformId(account, platform_message_id);
  }
  core::Result<std::optional<domain::CustomerId>> FindCustomerByIdentity(
      domain::WorkspaceId workspace, domain::ChannelKind channel,
      std::string_view platform_user_id) override {
    return inner_.FindCustomerByIdentity(workspace, channel, platform_user_id);
  }
  core::Result<std::vector<std::string>> ListRepliesTo(domain::ChannelAccountId account,
                                                       std::string_view parent_platform_id,
                                                       int limit) override {
    return inner_.ListRepliesTo(account, parent_platform_id, limit);
  }
  core::Result<std::vector<std::string>> ListConversationMessages(
      domain::ConversationId conversation, int limit) override {
    return inner_.ListConversationMessages(conversation, limit);
  }
  core::Result<std::vector<std::string>> ListByParent(EntityKind kind, std::int64_t parent,
                                                      int limit, Order order) override {
    return inner_.ListByParent(kind, parent, limit, order);
  }
  core::Result<ConversationPage> QueryConversations(const ConversationQuery& query) override {
    return inner_.QueryConversations(query);
  }
  core::Result<domain::AuditEvent> AppendAudit(domain::AuditEvent event) override {
    return inner_.AppendAudit(std::move(event));
  }
  core::Result<std::vector<domain::AuditEvent>> ListAudit(std::int64_t after_sequence,
                                                          int limit) override {
    return inner_.ListAudit(after_sequence, limit);
  }

 private:
  Store& inner_;
  std::atomic<int> failures_left_{0};
  std::atomic<core::ErrorCode> code_{core::ErrorCode::kUnavailable};
};

}  // namespace parley::storage
