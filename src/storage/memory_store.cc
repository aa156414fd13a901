#include "parley/storage/memory_store.h"

#include <algorithm>
#include <set>

#include "parley/storage/audit_chain.h"
#include "parley/storage/conversation_cursor.h"

namespace parley::storage {
namespace {

// The documents of messages, oldest first (published time, then id), at most `limit`.
std::vector<std::string> OldestFirst(std::vector<const Document*>& found, int limit) {
  std::sort(found.begin(), found.end(), [](const Document* a, const Document* b) {
    return std::tie(a->index.published_at_ms, a->id) < std::tie(b->index.published_at_ms, b->id);
  });
  std::vector<std::string> out;
  for (const Document* doc : found) {
    if (std::ssize(out) >= limit) break;
    out.push_back(doc->json);
  }
  return out;
}

core::Error Taken(std::string_view what, std::int64_t owner) {
  return core::MakeError(core::ErrorCode::kConflict,
                         std::string(what) + " already belongs to " + std::to_string(owner));
}

}  // namespace

core::Status MemoryStore::Apply(const WriteBatch& batch) {
  std::lock_guard lock(mutex_);
  // Check every uniqueness constraint against the state after the batch, before changing
  // anything, so that a refused batch leaves no trace. Keys held by a document that the batch
  // rewrites or deletes are released first: a batch may move an identity between customers.
  std::set<std::pair<EntityKind, std::int64_t>> rewritten;
  for (const Document& doc : batch.documents()) rewritten.insert({doc.kind, doc.id});
  for (const auto& key : batch.deletes()) rewritten.insert(key);
  auto held_by_other = [&](EntityKind kind, std::int64_t owner, std::int64_t id) {
    return owner != id && !rewritten.contains({kind, owner});
  };
  std::map<std::pair<std::int64_t, std::string>, std::int64_t> new_messages;
  std::map<IdentityKey, std::int64_t> new_identities;
  for (const Document& doc : batch.documents()) {
    if (doc.kind == EntityKind::kMessage && !doc.index.platform_id.empty()) {
      auto key = std::make_pair(doc.index.channel_account_id, doc.index.platform_id);
      auto it = message_ids_.find(key);
      if (it != message_ids_.end() && held_by_other(doc.kind, it->second, doc.id)) {
        return Taken("message id", it->second);
      }
      auto [pending, inserted] = new_messages.emplace(key, doc.id);
      if (!inserted && pending->second != doc.id) return Taken("message id", pending->second);
    }
    if (doc.kind == EntityKind::kCustomer) {
      for (const auto& [channel, user] : doc.index.identities) {
        IdentityKey key{doc.workspace_id, channel, user};
        auto it = customer_ids_.find(key);
        if (it != customer_ids_.end() && held_by_other(doc.kind, it->second, doc.id)) {
          return Taken("identity", it->second);
        }
        auto [pending, inserted] = new_identities.emplace(key, doc.id);
        if (!inserted && pending->second != doc.id) return Taken("identity", pending->second);
      }
    }
  }
  // Apply: release the keys of everything rewritten, write, then index the final documents.
  for (const auto& key : rewritten) {
    auto it = documents_.find(key);
    if (it == documents_.end()) continue;
    const Document& old = it->second;
    if (old.kind == EntityKind::kMessage) {
      message_ids_.erase({old.index.channel_account_id, old.index.platform_id});
    }
    if (old.kind == EntityKind::kCustomer) {
      for (const auto& [channel, user] : old.index.identities) {
        customer_ids_.erase({old.workspace_id, channel, user});
      }
    }
  }
  for (const Document& doc : batch.documents()) documents_[{doc.kind, doc.id}] = doc;
  for (const auto& key : batch.deletes()) documents_.erase(key);
  for (const auto& key : rewritten) {
    auto it = documents_.find(key);
    if (it == documents_.end()) continue;
    const Document& doc = it->second;
    if (doc.kind == EntityKind::kMessage && !doc.index.platform_id.empty()) {
      message_ids_[{doc.index.channel_account_id, doc.index.platform_id}] = doc.id;
    }
    if (doc.kind == EntityKind::kCustomer) {
      for (const auto& [channel, user] : doc.index.identities) {
        customer_ids_[{doc.workspace_id, channel, user}] = doc.id;
      }
    }
  }
  return core::Ok();
}

core::Result<std::optional<std::string>> MemoryStore::GetDocument(EntityKind kind,
                                                                  std::int64_t id) {
  std::lock_guard lock(mutex_);
  auto it = documents_.find({kind, id});
  if (it == documents_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second.json);
}

core::Result<std::vector<std::string>> MemoryStore::ListDocuments(EntityKind kind,
                                                                  domain::WorkspaceId workspace,
                                                                  std::int64_t after_id,
                                                                  int limit) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (auto it = documents_.upper_bound({kind, after_id});
       it != documents_.end() && it->first.first == kind && std::ssize(out) < limit; ++it) {
    if (!workspace || it->second.workspace_id == workspace.value()) {
      out.push_back(it->second.json);
    }
  }
  return out;
}

core::Result<std::int64_t> MemoryStore::CountDocuments(EntityKind kind,
                                                       domain::WorkspaceId workspace) {
  std::lock_guard lock(mutex_);
  return static_cast<std::int64_t>(
      std::count_if(documents_.lower_bound({kind, 0}), documents_.end(), [&](const auto& entry) {
        return entry.first.first == kind &&
               (!workspace || entry.second.workspace_id == workspace.value());
      }));
}

core::Result<std::optional<MessageRef>> MemoryStore::FindMessageByPlatformId(
    domain::ChannelAccountId account, std::string_view platform_message_id) {
  std::lock_guard lock(mutex_);
  auto it = message_ids_.find({account.value(), std::string(platform_message_id)});
  if (it == message_ids_.end()) return std::optional<MessageRef>();
  const Document& doc = documents_.at({EntityKind::kMessage, it->second});
  return std::optional<MessageRef>(
      MessageRef{domain::MessageId(it->second), domain::ConversationId(doc.index.conversation_id)});
}

core::Result<std::optional<domain::CustomerId>> MemoryStore::FindCustomerByIdentity(
    domain::WorkspaceId workspace, domain::ChannelKind channel, std::string_view platform_user_id) {
  std::lock_guard lock(mutex_);
  auto it = customer_ids_.find(
      {workspace.value(), static_cast<int>(channel), std::string(platform_user_id)});
  if (it == customer_ids_.end()) return std::optional<domain::CustomerId>();
  return std::optional<domain::CustomerId>(domain::CustomerId(it->second));
}

core::Result<std::vector<std::string>> MemoryStore::ListRepliesTo(
    domain::ChannelAccountId account, std::string_view parent_platform_id, int limit) {
  std::lock_guard lock(mutex_);
  std::vector<const Document*> found;
  for (auto it = documents_.lower_bound({EntityKind::kMessage, 0});
       it != documents_.end() && it->first.first == EntityKind::kMessage; ++it) {
    const Document& doc = it->second;
    if (doc.index.channel_account_id == account.value() && !parent_platform_id.empty() &&
        doc.index.in_reply_to == parent_platform_id) {
      found.push_back(&doc);
    }
  }
  return OldestFirst(found, limit);
}

core::Result<std::vector<std::string>> MemoryStore::ListConversationMessages(
    domain::ConversationId conversation, int limit) {
  std::lock_guard lock(mutex_);
  std::vector<const Document*> found;
  for (auto it = documents_.lower_bound({EntityKind::kMessage, 0});
       it != documents_.end() && it->first.first == EntityKind::kMessage; ++it) {
    if (it->second.index.conversation_id == conversation.value()) found.push_back(&it->second);
  }
  return OldestFirst(found, limit);
}

core::Result<std::vector<std::string>> MemoryStore::ListByParent(EntityKind kind,
                                                                 std::int64_t parent, int limit,
                                                                 Order order) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (auto it = documents_.lower_bound({kind, 0});
       it != documents_.end() && it->first.first == kind; ++it) {
    if (it->second.index.parent_id == parent) out.push_back(it->second.json);
  }
  if (order == Order::kNewestFirst) std::reverse(out.begin(), out.end());
  if (std::ssize(out) > limit) out.resize(static_cast<std::size_t>(limit));
  return out;
}

core::Result<ConversationPage> MemoryStore::QueryConversations(const ConversationQuery& query) {
  PARLEY_TRY(ValidateQuery(query));
  std::optional<ConversationCursor> cursor;
  if (!query.cursor.empty()) {
    auto decoded = DecodeCursor(query.cursor, query.sort);
    PARLEY_TRY(decoded);
    cursor = *decoded;
  }
  std::lock_guard lock(mutex_);
  std::vector<const Document*> rows;
  for (auto it = documents_.lower_bound({EntityKind::kConversation, 0});
       it != documents_.end() && it->first.first == EntityKind::kConversation; ++it) {
    const Document& doc = it->second;
    if (doc.workspace_id != query.workspace_id.value()) continue;
    if (!query.statuses.empty() &&
        std::none_of(query.statuses.begin(), query.statuses.end(),
                     [&](auto s) { return static_cast<int>(s) == doc.index.status; })) {
      continue;
    }
    if (query.team_id && doc.index.team_id != query.team_id.value()) continue;
    if (query.assignee_id && doc.index.assignee_id != query.assignee_id.value()) continue;
    if (query.customer_id && doc.index.customer_id != query.customer_id.value()) continue;
    if (cursor && !IsAfter(*cursor, doc.index, doc.id)) continue;
    rows.push_back(&doc);
  }
  ConversationCursor origin;
  origin.sort = query.sort;
  origin.priority = 1000;  // before every row
  origin.due_at_ms = 0;
  origin.updated_at_ms = kNoDeadline;
  origin.id = query.sort == ConversationSort::kPriority ? 0 : kNoDeadline;
  std::sort(rows.begin(), rows.end(), [&](const Document* a, const Document* b) {
    ConversationCursor as_cursor = origin;
    as_cursor.priority = a->index.priority;
    as_cursor.due_at_ms = a->index.due_at_ms;
    as_cursor.updated_at_ms = a->index.updated_at_ms;
    as_cursor.id = a->id;
    return IsAfter(as_cursor, b->index, b->id);
  });
  ConversationPage page;
  for (const Document* doc : rows) {
    if (std::ssize(page.documents) == query.limit) {
      const Document* last = rows[static_cast<std::size_t>(query.limit) - 1];
      ConversationCursor next{query.sort, last->index.priority, last->index.due_at_ms,
                              last->index.updated_at_ms, last->id};
      page.next_cursor = EncodeCursor(next);
      break;
    }
    page.documents.push_back(doc->json);
  }
  return page;
}

core::Result<domain::AuditEvent> MemoryStore::AppendAudit(domain::AuditEvent event) {
  std::lock_guard lock(mutex_);
  ChainAuditEvent(event, audit_.empty() ? nullptr : &audit_.back());
  audit_.push_back(event);
  return event;
}

core::Result<std::vector<domain::AuditEvent>> MemoryStore::ListAudit(std::int64_t after_sequence,
                                                                     int limit) {
  std::lock_guard lock(mutex_);
  std::vector<domain::AuditEvent> out;
  for (const auto& event : audit_) {
    if (event.sequence > after_sequence && std::ssize(out) < limit) out.push_back(event);
  }
  return out;
}

}  // namespace parley::storage
