// The storage interface: everything Parley keeps, behind one contract that every backend (memory,
// SQLite, PostgreSQL) passes (store_contract_test.cc).
//
// Writes go in batches, applied atomically: the live engine accumulates the effects of many
// commands and writes them at once. Reads return documents, decoded by the typed helpers at the
// bottom of this file.
//
// Thread-safety: every method may be called from any thread. Backends serialise writers; readers
// see either all of a batch or none of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/core/result.h"
#include "parley/domain/audit.h"
#include "parley/storage/document.h"

namespace parley::storage {

// A set of writes applied atomically by Store::Apply. Puts are upserts by id; a later put of the
// same id in one batch wins.
class WriteBatch {
 public:
  template <typename T>
  WriteBatch& Put(const T& value) {
    documents_.push_back(ToDocument(value));
    return *this;
  }
  // A put of a stored customer whose identities the caller knows to be unchanged (only the
  // profile or timestamps moved): the backend need not compare and rewrite them. The live engine
  // refreshes a customer on every message, so this is on the ingest path.
  WriteBatch& PutKnownIdentities(const domain::Customer& customer) {
    documents_.push_back(ToDocument(customer));
    documents_.back().index.identities_unchanged = true;
    return *this;
  }
  WriteBatch& Delete(EntityKind kind, std::int64_t id) {
    deletes_.emplace_back(kind, id);
    return *this;
  }

  bool empty() const { return documents_.empty() && deletes_.empty(); }
  std::size_t size() const { return documents_.size() + deletes_.size(); }
  const std::vector<Document>& documents() const { return documents_; }
  const std::vector<std::pair<EntityKind, std::int64_t>>& deletes() const { return deletes_; }
  void Clear() {
    documents_.clear();
    deletes_.clear();
  }

 private:
  std::vector<Document> documents_;
  std::vector<std::pair<EntityKind, std::int64_t>> deletes_;
};

enum class ConversationSort {
  kPriority,  // priority descending, then earliest deadline, then oldest id: the agent's inbox
  kRecent,    // last updated first
};

struct ConversationQuery {
  domain::WorkspaceId workspace_id;                  // required
  std::vector<domain::ConversationStatus> statuses;  // empty: any
  domain::TeamId team_id;                            // none: any
  domain::AgentId assignee_id;                       // none: any
  domain::CustomerId customer_id;                    // none: any
  ConversationSort sort = ConversationSort::kPriority;
  std::string cursor;  // from the previous page's next_cursor; empty: first page
  int limit = 50;      // 1..500
};

struct ConversationPage {
  std::vector<std::string> documents;
  std::string next_cursor;  // empty when this is the last page
};

// A message's identity and thread, read from the index without decoding the message.
struct MessageRef {
  domain::MessageId id;
  domain::ConversationId conversation_id;
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies every write of the batch, or none. Fails with kConflict when a message's
  // (channel account, platform id) or a customer identity already belongs to another id.
  virtual core::Status Apply(const WriteBatch& batch) = 0;

  virtual core::Result<std::optional<std::string>> GetDocument(EntityKind kind,
                                                               std::int64_t id) = 0;
  // Documents of a kind in a workspace (none: in every workspace), in id order, after `after_id`,
  // at most `limit`.
  virtual core::Result<std::vector<std::string>> ListDocuments(EntityKind kind,
                                                               domain::WorkspaceId workspace,
                                                               std::int64_t after_id,
                                                               int limit) = 0;
  virtual core::Result<std::int64_t> CountDocuments(EntityKind kind,
                                                    domain::WorkspaceId workspace) = 0;

  // Idempotency and threading lookups.
  virtual core::Result<std::optional<MessageRef>> FindMessageByPlatformId(
      domain::ChannelAccountId account, std::string_view platform_message_id) = 0;
  virtual core::Result<std::optional<domain::CustomerId>> FindCustomerByIdentity(
      domain::WorkspaceId workspace, domain::ChannelKind channel,
      std::string_view platform_user_id) = 0;
  // Messages of the account that reply to `parent_platform_id`, oldest first: a reply that
  // arrived before its parent is found this way when the parent comes.
  virtual core::Result<std::vector<std::string>> ListRepliesTo(domain::ChannelAccountId account,
                                                               std::string_view parent_platform_id,
                                                               int limit) = 0;
  // The messages of a conversation, oldest first (by published time, then id).
  virtual core::Result<std::vector<std::string>> ListConversationMessages(
      domain::ConversationId conversation, int limit) = 0;
  // Documents of a kind that belong to `parent` (IndexFields::parent_id: a conversation's notes,
  // a webhook's deliveries), oldest or newest first by id, at most `limit`.
  enum class Order { kOldestFirst, kNewestFirst };
  virtual core::Result<std::vector<std::string>> ListByParent(EntityKind kind, std::int64_t parent,
                                                              int limit, Order order) = 0;

  // REQUIRES: 1 <= query.limit <= 500. A malformed cursor is kInvalidArgument.
  virtual core::Result<ConversationPage> QueryConversations(const ConversationQuery& query) = 0;

  // Appends to the hash-chained audit trail: assigns the sequence, previous_hash and hash, and
  // returns the stored event.
  virtual core::Result<domain::AuditEvent> AppendAudit(domain::AuditEvent event) = 0;
  virtual core::Result<std::vector<domain::AuditEvent>> ListAudit(std::int64_t after_sequence,
                                                                  int limit) = 0;
};

// Typed reads over the document interface.
template <typename T>
core::Result<std::optional<T>> Get(Store& store, typename EntityTraits<T>::Id id) {
  auto doc = store.GetDocument(EntityTraits<T>::kKind, id.value());
  PARLEY_TRY(doc);
  if (!doc->has_value()) return std::optional<T>();
  auto value = domain::DecodeJson<T>(**doc);
  PARLEY_TRY(value);
  return std::optional<T>(std::move(value).value());
}

// Every value of a kind in a workspace (none: in every workspace), in id order.
template <typename T>
core::Result<std::vector<T>> ListAll(Store& store, domain::WorkspaceId workspace) {
  std::vector<T> out;
  std::int64_t after = 0;
  constexpr int kPage = 1000;
  while (true) {
    auto docs = store.ListDocuments(EntityTraits<T>::kKind, workspace, after, kPage);
    PARLEY_TRY(docs);
    for (const auto& json : *docs) {
      auto value = domain::DecodeJson<T>(json);
      PARLEY_TRY(value);
      after = value->id.value();
      out.push_back(std::move(value).value());
    }
    if (docs->size() < static_cast<std::size_t>(kPage)) break;
  }
  return out;
}

// Decodes a list of documents.
template <typename T>
core::Result<std::vector<T>> DecodeAll(const std::vector<std::string>& documents) {
  std::vector<T> out;
  out.reserve(documents.size());
  for (const auto& json : documents) {
    auto value = domain::DecodeJson<T>(json);
    PARLEY_TRY(value);
    out.push_back(std::move(value).value());
  }
  return out;
}

}  // namespace parley::storage
