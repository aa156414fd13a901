#include "parley/sqlite/sqlite_store.h"

#include <algorithm>
#include <map>
#include <set>

#include "parley/sqlite/migrations.h"
#include "parley/storage/audit_chain.h"
#include "parley/storage/conversation_cursor.h"

namespace parley::sqlite {
namespace {

using storage::EntityKind;

// Where a kind lives: its own table, or the shared documents table.
struct TableOf {
  const char* get;
  const char* list;
  const char* count;
};

TableOf Table(EntityKind kind) {
  switch (kind) {
    case EntityKind::kMessage:
      return {"SELECT doc FROM messages WHERE id = ?2",
              "SELECT doc FROM messages WHERE (?2 = 0 OR workspace_id = ?2) AND id > ?3 ORDER BY "
              "id LIMIT ?4",
              "SELECT COUNT(*) FROM messages WHERE (?2 = 0 OR workspace_id = ?2)"};
    case EntityKind::kConversation:
      return {"SELECT doc FROM conversations WHERE id = ?2",
              "SELECT doc FROM conversations WHERE (?2 = 0 OR workspace_id = ?2) AND id > ?3 ORDER "
              "BY id "
              "LIMIT ?4",
              "SELECT COUNT(*) FROM conversations WHERE (?2 = 0 OR workspace_id = ?2)"};
    case EntityKind::kCustomer:
      return {"SELECT doc FROM customers WHERE id = ?2",
              "SELECT doc FROM customers WHERE (?2 = 0 OR workspace_id = ?2) AND id > ?3 ORDER BY "
              "id LIMIT ?4",
              "SELECT COUNT(*) FROM customers WHERE (?2 = 0 OR workspace_id = ?2)"};
    default:
      return {
          "SELECT doc FROM documents WHERE kind = ?1 AND id = ?2",
          "SELECT doc FROM documents WHERE kind = ?1 AND (?2 = 0 OR workspace_id = ?2) AND id > ?3 "
          "ORDER BY id LIMIT ?4",
          "SELECT COUNT(*) FROM documents WHERE kind = ?1 AND (?2 = 0 OR workspace_id = ?2)"};
  }
}

// Binds ?1 = kind where the statement names it.
void BindKind(Statement& stmt, EntityKind kind, const char* sql) {
  if (std::string_view(sql).find("?1") != std::string_view::npos) {
    stmt.Bind(1, static_cast<int>(kind));
  }
}

core::Result<std::vector<std::string>> CollectDocs(Statement& stmt) {
  std::vector<std::string> out;
  while (true) {
    auto row = stmt.Step();
    if (!row.ok()) {
      stmt.Reset();
      return row.error();
    }
    if (!*row) break;
    out.push_back(stmt.ColumnText(0));
  }
  stmt.Reset();
  return out;
}

}  // namespace

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                             const core::Clock& clock,
                                                             Durability durability) {
  auto writer = Database::Open(path, durability);
  PARLEY_TRY(writer);
  PARLEY_TRY(Migrate(*writer, StoreMigrations(), clock.Now()));
  auto reader = Database::Open(path, durability);
  PARLEY_TRY(reader);
  auto checkpointer = Checkpointer::Start(path, durability);
  PARLEY_TRY(checkpointer);
  return std::unique_ptr<SqliteStore>(new SqliteStore(
      std::move(writer).value(), std::move(reader).value(), std::move(checkpointer).value()));
}

SqliteStore::~SqliteStore() {
  std::lock_guard lock(write_mutex_);
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
}

core::Status SqliteStore::Apply(const storage::WriteBatch& batch) {
  if (batch.empty()) return core::Ok();
  std::lock_guard lock(write_mutex_);
  auto tx = Transaction::Begin(writer_);
  PARLEY_TRY(tx);
  PARLEY_TRY(ApplyLocked(batch));
  return tx->Commit();
}

core::Status SqliteStore::ApplyLocked(const storage::WriteBatch& batch) {
  // Prepared once per connection: SQLite caches by text with SQLITE_PREPARE_PERSISTENT, and these
  // statements live as long as the call; at batch sizes of hundreds the prepare cost is noise.
  auto put_document = writer_.Prepare(
      "INSERT INTO documents (kind, id, workspace_id, doc, parent_id) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (kind, id) DO UPDATE SET workspace_id = excluded.workspace_id, doc = "
      "excluded.doc, parent_id = excluded.parent_id");
  PARLEY_TRY(put_document);
  auto put_message = writer_.Prepare(
      "INSERT INTO messages (id, workspace_id, conversation_id, channel_account_id, platform_id, "
      "published_at, doc, in_reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
      "SET workspace_id = excluded.workspace_id, conversation_id = excluded.conversation_id, "
      "channel_account_id = excluded.channel_account_id, platform_id = excluded.platform_id, "
      "published_at = excluded.published_at, doc = excluded.doc, in_reply_to = "
      "excluded.in_reply_to");
  PARLEY_TRY(put_message);
  auto put_conversation = writer_.Prepare(
      "INSERT INTO conversations (id, workspace_id, status, priority, team_id, assignee_id, "
      "customer_id, updated_at, due_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (id) DO UPDATE SET workspace_id = excluded.workspace_id, status = "
      "excluded.status, priority = excluded.priority, team_id = excluded.team_id, assignee_id = "
      "excluded.assignee_id, customer_id = excluded.customer_id, updated_at = excluded.updated_at, "
      "due_at = excluded.due_at, doc = excluded.doc");
  PARLEY_TRY(put_conversation);
  auto put_customer = writer_.Prepare(
      "INSERT INTO customers (id, workspace_id, doc) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE "
      "SET workspace_id = excluded.workspace_id, doc = excluded.doc");
  PARLEY_TRY(put_customer);
  auto drop_identities = writer_.Prepare("DELETE FROM customer_identities WHERE customer_id = ?");
  PARLEY_TRY(drop_identities);
  auto put_identity = writer_.Prepare(
      "INSERT INTO customer_identities (workspace_id, channel, platform_user_id, customer_id) "
      "VALUES (?, ?, ?, ?)");
  PARLEY_TRY(put_identity);

  // Identities are checked against the state after the batch: release every identity of the
  // customers the batch rewrites or deletes first, so a batch may move one between customers.
  // Only the last put of a customer in the batch counts.
  std::map<std::int64_t, std::size_t> last_customer_put;
  const auto& documents = batch.documents();
  for (std::size_t i = 0; i < documents.size(); ++i) {
    if (documents[i].kind == EntityKind::kCustomer) last_customer_put[documents[i].id] = i;
  }

  for (const auto& [kind, id] : batch.deletes()) {
    if (kind == EntityKind::kCustomer) last_customer_put.emplace(id, documents.size());
  }
  // Most puts leave a customer's identities as they were (a new message refreshes the profile);
  // only changed ones are rewritten.
  auto stored_identities = writer_.Prepare(
      "SELECT channel, platform_user_id FROM customer_identities WHERE customer_id = ?");
  PARLEY_TRY(stored_identities);
  std::set<std::int64_t> rewrite_identities;
  for (const auto& [id, index] : last_customer_put) {
    // A writer that vouches for the identities (a profile refresh) spares the comparison.
    if (index < documents.size() && documents[index].index.identities_unchanged) continue;
    std::vector<std::pair<int, std::string>> stored;
    stored_identities->Bind(1, id);
    while (true) {
      auto row = stored_identities->Step();
      PARLEY_TRY(row);
      if (!*row) break;
      stored.emplace_back(static_cast<int>(stored_identities->ColumnInt(0)),
                          stored_identities->ColumnText(1));
    }
    stored_identities->Reset();
    std::vector<std::pair<int, std::string>> wanted;
    if (index < documents.size()) wanted = documents[index].index.identities;
    std::sort(stored.begin(), stored.end());
    std::sort(wanted.begin(), wanted.end());
    if (stored != wanted) rewrite_identities.insert(id);
  }
  for (auto id : rewrite_identities) PARLEY_TRY(drop_identities->Bind(1, id).Run());

  for (std::size_t i = 0; i < documents.size(); ++i) {
    const storage::Document& doc = documents[i];
    if (doc.kind == EntityKind::kCustomer && last_customer_put[doc.id] != i) continue;
    core::Status status;
    switch (doc.kind) {
      case EntityKind::kMessage:
        put_message->Bind(1, doc.id)
            .Bind(2, doc.workspace_id)
            .Bind(3, doc.index.conversation_id)
            .Bind(4, doc.index.channel_account_id);
        if (doc.index.platform_id.empty()) {
          put_message->BindNull(5);
        } else {
          put_message->Bind(5, doc.index.platform_id);
        }
        put_message->Bind(6, doc.index.published_at_ms).Bind(7, doc.json);
        if (doc.index.in_reply_to.empty()) {
          put_message->BindNull(8);
        } else {
          put_message->Bind(8, doc.index.in_reply_to);
        }
        status = put_message->Run();
        break;
      case EntityKind::kConversation:
        put_conversation->Bind(1, doc.id)
            .Bind(2, doc.workspace_id)
            .Bind(3, doc.index.status)
            .Bind(4, doc.index.priority)
            .Bind(5, doc.index.team_id)
            .Bind(6, doc.index.assignee_id)
            .Bind(7, doc.index.customer_id)
            .Bind(8, doc.index.updated_at_ms)
            .Bind(9, doc.index.due_at_ms)
            .Bind(10, doc.json);
        status = put_conversation->Run();
        break;
      case EntityKind::kCustomer:
        put_customer->Bind(1, doc.id).Bind(2, doc.workspace_id).Bind(3, doc.json);
        status = put_customer->Run();
        for (const auto& [channel, user] : doc.index.identities) {
          if (!status.ok() || !rewrite_identities.contains(doc.id)) break;
          put_identity->Bind(1, doc.workspace_id).Bind(2, channel).Bind(3, user).Bind(4, doc.id);
          status = put_identity->Run();
        }
        break;
      default:
        put_document->Bind(1, static_cast<int>(doc.kind))
            .Bind(2, doc.id)
            .Bind(3, doc.workspace_id)
            .Bind(4, doc.json)
            .Bind(5, doc.index.parent_id);
        status = put_document->Run();
        break;
    }
    if (!status.ok()) {
      return core::MakeError(status.error().code, std::string(storage::ToString(doc.kind)) + " " +
                                                      std::to_string(doc.id) + ": " +
                                                      status.error().message);
    }
  }
  for (const auto& [kind, id] : batch.deletes()) {
    const char* sql = nullptr;
    switch (kind) {
      case EntityKind::kMessage:
        sql = "DELETE FROM messages WHERE id = ?2";
        break;
      case EntityKind::kConversation:
        sql = "DELETE FROM conversations WHERE id = ?2";
        break;
      case EntityKind::kCustomer:
        sql = "DELETE FROM customers WHERE id = ?2";
        break;
      default:
        sql = "DELETE FROM documents WHERE kind = ?1 AND id = ?2";
        break;
    }
    auto stmt = writer_.Prepare(sql);
    PARLEY_TRY(stmt);
    BindKind(*stmt, kind, sql);
    stmt->Bind(2, id);
    PARLEY_TRY(stmt->Run());
  }
  return core::Ok();
}

core::Result<std::optional<std::string>> SqliteStore::GetDocument(EntityKind kind,
                                                                  std::int64_t id) {
  std::lock_guard lock(read_mutex_);
  const char* sql = Table(kind).get;
  auto stmt = reader_.Prepare(sql);
  PARLEY_TRY(stmt);
  BindKind(*stmt, kind, sql);
  stmt->Bind(2, id);
  auto docs = CollectDocs(*stmt);
  PARLEY_TRY(docs);
  if (docs->empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(docs->front()));
}

core::Result<std::vector<std::string>> SqliteStore::ListDocuments(EntityKind kind,
                                                                  domain::WorkspaceId workspace,
                                                                  std::int64_t after_id,
                                                                  int limit) {
  std::lock_guard lock(read_mutex_);
  const char* sql = Table(kind).list;
  auto stmt = reader_.Prepare(sql);
  PARLEY_TRY(stmt);
  BindKind(*stmt, kind, sql);
  stmt->Bind(2, workspace.value()).Bind(3, after_id).Bind(4, limit);
  return CollectDocs(*stmt);
}

core::Result<std::int64_t> SqliteStore::CountDocuments(EntityKind kind,
                                                       domain::WorkspaceId workspace) {
  std::lock_guard lock(read_mutex_);
  const char* sql = Table(kind).count;
  auto stmt = reader_.Prepare(sql);
  PARLEY_TRY(stmt);
  BindKind(*stmt, kind, sql);
  stmt->Bind(2, workspace.value());
  auto row = stmt->Step();
  PARLEY_TRY(row);
  return stmt->ColumnInt(0);
}

core::Result<std::optional<storage::MessageRef>> SqliteStore::FindMessageByPlatformId(
    domain::ChannelAccountId account, std::string_view platform_message_id) {
  std::lock_guard lock(read_mutex_);
  auto stmt = reader_.Prepare(
      "SELECT id, conversation_id FROM messages WHERE channel_account_id = ? AND platform_id = ?");
  PARLEY_TRY(stmt);
  stmt->Bind(1, account.value()).Bind(2, platform_message_id);
  auto row = stmt->Step();
  PARLEY_TRY(row);
  if (!*row) return std::optional<storage::MessageRef>();
  return std::optional<storage::MessageRef>(storage::MessageRef{
      domain::MessageId(stmt->ColumnInt(0)), domain::ConversationId(stmt->ColumnInt(1))});
}

core::Result<std::optional<domain::CustomerId>> SqliteStore::FindCustomerByIdentity(
    domain::WorkspaceId workspace, domain::ChannelKind channel, std::string_view platform_user_id) {
  std::lock_guard lock(read_mutex_);
  auto stmt = reader_.Prepare(
      "SELECT customer_id FROM customer_identities WHERE workspace_id = ? AND channel = ? AND "
      "platform_user_id = ?");
  PARLEY_TRY(stmt);
  stmt->Bind(1, workspace.value()).Bind(2, static_cast<int>(channel)).Bind(3, platform_user_id);
  auto row = stmt->Step();
  PARLEY_TRY(row);
  if (!*row) return std::optional<domain::CustomerId>();
  return std::optional<domain::CustomerId>(domain::CustomerId(stmt->ColumnInt(0)));
}

core::Result<std::vector<std::string>> SqliteStore::ListRepliesTo(
    domain::ChannelAccountId account, std::string_view parent_platform_id, int limit) {
  if (parent_platform_id.empty()) return std::vector<std::string>();
  std::lock_guard lock(read_mutex_);
  auto stmt = reader_.Prepare(
      "SELECT doc FROM messages WHERE channel_account_id = ? AND in_reply_to = ? "
      "ORDER BY published_at, id LIMIT ?");
  PARLEY_TRY(stmt);
  stmt->Bind(1, account.value()).Bind(2, parent_platform_id).Bind(3, limit);
  return CollectDocs(*stmt);
}

core::Result<std::vector<std::string>> SqliteStore::ListConversationMessages(
    domain::ConversationId conversation, int limit) {
  std::lock_guard lock(read_mutex_);
  auto stmt = reader_.Prepare(
      "SELECT doc FROM messages WHERE conversation_id = ? ORDER BY published_at, id LIMIT ?");
  PARLEY_TRY(stmt);
  stmt->Bind(1, conversation.value()).Bind(2, limit);
  return CollectDocs(*stmt);
}

core::Result<std::vector<std::string>> SqliteStore::ListByParent(EntityKind kind,
                                                                 std::int64_t parent, int limit,
                                                                 Order order) {
  std::lock_guard lock(read_mutex_);
  auto stmt = reader_.Prepare(
      order == Order::kOldestFirst
          ? "SELECT doc FROM documents WHERE kind = ? AND parent_id = ? ORDER BY id LIMIT ?"
          : "SELECT doc FROM documents WHERE kind = ? AND parent_id = ? ORDER BY id DESC LIMIT ?");
  PARLEY_TRY(stmt);
  stmt->Bind(1, static_cast<int>(kind)).Bind(2, parent).Bind(3, limit);
  return CollectDocs(*stmt);
}

core::Result<storage::ConversationPage> SqliteStore::QueryConversations(
    const storage::ConversationQuery& query) {
  PARLEY_TRY(storage::ValidateQuery(query));
  std::optional<storage::ConversationCursor> cursor;
  if (!query.cursor.empty()) {
    auto decoded = storage::DecodeCursor(query.cursor, query.sort);
    PARLEY_TRY(decoded);
    cursor = *decoded;
  }
  // Values are bound, never spliced into the text, so the statement cache sees few texts.
  std::string sql =
      "SELECT doc, priority, due_at, updated_at, id FROM conversations WHERE workspace_id = ?1";
  if (!query.statuses.empty()) {
    sql += " AND status IN (";
    for (std::size_t i = 0; i < query.statuses.size(); ++i) {
      sql += i == 0 ? "" : ",";
      sql += std::to_string(static_cast<int>(query.statuses[i]));  // an enum: a few values
    }
    sql += ")";
  }
  if (query.team_id) sql += " AND team_id = ?2";
  if (query.assignee_id) sql += " AND assignee_id = ?3";
  if (query.customer_id) sql += " AND customer_id = ?4";
  const bool by_priority = query.sort == storage::ConversationSort::kPriority;
  if (cursor) {
    sql += by_priority ? " AND (-priority, due_at, id) > (?5, ?6, ?7)"
                       : " AND (-updated_at, -id) > (?5, ?6)";
  }
  sql += by_priority ? " ORDER BY priority DESC, due_at, id" : " ORDER BY updated_at DESC, id DESC";
  sql += " LIMIT ?8";

  std::lock_guard lock(read_mutex_);
  auto stmt = reader_.Prepare(sql);
  PARLEY_TRY(stmt);
  stmt->Bind(1, query.workspace_id.value());
  if (query.team_id) stmt->Bind(2, query.team_id.value());
  if (query.assignee_id) stmt->Bind(3, query.assignee_id.value());
  if (query.customer_id) stmt->Bind(4, query.customer_id.value());
  if (cursor) {
    if (by_priority) {
      stmt->Bind(5, -cursor->priority).Bind(6, cursor->due_at_ms).Bind(7, cursor->id);
    } else {
      stmt->Bind(5, -cursor->updated_at_ms).Bind(6, -cursor->id);
    }
  }
  stmt->Bind(8, query.limit + 1);
  storage::ConversationPage page;
  storage::ConversationCursor last{query.sort, 0, 0, 0, 0};
  while (true) {
    auto row = stmt->Step();
    PARLEY_TRY(row);
    if (!*row) break;
    if (std::ssize(page.documents) == query.limit) {
      page.next_cursor = storage::EncodeCursor(last);
      break;
    }
    page.documents.push_back(stmt->ColumnText(0));
    last.priority = stmt->ColumnInt(1);
    last.due_at_ms = stmt->ColumnInt(2);
    last.updated_at_ms = stmt->ColumnInt(3);
    last.id = stmt->ColumnInt(4);
  }
  return page;
}

core::Result<domain::AuditEvent> SqliteStore::AppendAudit(domain::AuditEvent event) {
  std::lock_guard lock(write_mutex_);
  auto tx = Transaction::Begin(writer_);
  PARLEY_TRY(tx);
  auto last = writer_.Prepare("SELECT doc FROM audit_events ORDER BY sequence DESC LIMIT 1");
  PARLEY_TRY(last);
  auto docs = CollectDocs(*last);
  PARLEY_TRY(docs);
  std::optional<domain::AuditEvent> previous;
  if (!docs->empty()) {
    auto decoded = domain::DecodeJson<domain::AuditEvent>(docs->front());
    PARLEY_TRY(decoded);
    previous = std::move(decoded).value();
  }
  storage::ChainAuditEvent(event, previous ? &*previous : nullptr);
  auto insert = writer_.Prepare(
      "INSERT INTO audit_events (sequence, workspace_id, at, action, doc, hash) VALUES (?, ?, ?, "
      "?, ?, ?)");
  PARLEY_TRY(insert);
  insert->Bind(1, event.sequence)
      .Bind(2, event.workspace_id.value())
      .Bind(3, core::ToMillis(event.at))
      .Bind(4, event.action)
      .Bind(5, domain::EncodeJson(event))
      .Bind(6, event.hash);
  PARLEY_TRY(insert->Run());
  PARLEY_TRY(tx->Commit());
  return event;
}

core::Result<std::vector<domain::AuditEvent>> SqliteStore::ListAudit(std::int64_t after_sequence,
                                                                     int limit) {
  std::lock_guard lock(read_mutex_);
  auto stmt =
      reader_.Prepare("SELECT doc FROM audit_events WHERE sequence > ? ORDER BY sequence LIMIT ?");
  PARLEY_TRY(stmt);
  stmt->Bind(1, after_sequence).Bind(2, limit);
  auto docs = CollectDocs(*stmt);
  PARLEY_TRY(docs);
  return storage::DecodeAll<domain::AuditEvent>(*docs);
}

}  // namespace parley::sqlite
