// The storage contract. See contract_test.h.
#include "parley/storage/contract_test.h"

#include <atomic>
#include <set>
#include <thread>

#include "parley/storage/audit_chain.h"

namespace parley::storage::testing {
namespace {

using domain::ChannelKind;
using domain::ConversationStatus;

const domain::WorkspaceId kBrand(100);
const domain::WorkspaceId kOtherBrand(200);
const domain::ChannelAccountId kAccount(10);

domain::Message MakeMessage(std::int64_t id, std::string platform_id, std::int64_t conversation,
                            std::int64_t published_ms) {
  domain::Message m;
  m.id = domain::MessageId(id);
  m.workspace_id = kBrand;
  m.conversation_id = domain::ConversationId(conversation);
  m.channel_account_id = kAccount;
  m.channel = ChannelKind::kX;
  m.platform_message_id = std::move(platform_id);
  m.text = "message " + std::to_string(id);
  m.published_at = core::FromMillis(published_ms);
  return m;
}

domain::Conversation MakeConversation(std::int64_t id, int priority,
                                      ConversationStatus status = ConversationStatus::kQueued) {
  domain::Conversation c;
  c.id = domain::ConversationId(id);
  c.workspace_id = kBrand;
  c.customer_id = domain::CustomerId(1);
  c.priority = priority;
  c.status = status;
  c.updated_at = core::FromMillis(1'000 * id);
  return c;
}

domain::Customer MakeCustomer(std::int64_t id, std::string x_user) {
  domain::Customer c;
  c.id = domain::CustomerId(id);
  c.workspace_id = kBrand;
  c.display_name = "Customer " + std::to_string(id);
  c.identities.push_back({ChannelKind::kX, std::move(x_user), "@someone", "Someone", 10, false});
  return c;
}

TEST_P(StoreContract, EveryKindRoundTripsAndSurvivesReopen) {
  domain::Workspace w{kBrand, "acme",           "Acme",       "Europe/London", {"@AcmeHelp"},
                      {},     domain::TeamId(), clock_.Now(), {"refunded"}};
  domain::Agent agent;
  agent.id = domain::AgentId(5);
  agent.workspace_id = kBrand;
  agent.display_name = "Jo";
  domain::Rule rule;
  rule.id = domain::RuleId(6);
  rule.workspace_id = kBrand;
  rule.name = "angry customers";
  const auto message = MakeMessage(1, "t1", 3, 5);
  const auto conversation = MakeConversation(3, 50);
  const auto customer = MakeCustomer(4, "u4");

  WriteBatch batch;
  batch.Put(w).Put(agent).Put(rule).Put(message).Put(conversation).Put(customer);
  ASSERT_TRUE(store().Apply(batch).ok());
  Reopen();

  EXPECT_EQ(Get<domain::Workspace>(store(), kBrand)->value(), w);
  EXPECT_EQ(Get<domain::Agent>(store(), agent.id)->value(), agent);
  EXPECT_EQ(Get<domain::Rule>(store(), rule.id)->value(), rule);
  EXPECT_EQ(Get<domain::Message>(store(), message.id)->value(), message);
  EXPECT_EQ(Get<domain::Conversation>(store(), conversation.id)->value(), conversation);
  EXPECT_EQ(Get<domain::Customer>(store(), customer.id)->value(), customer);
  EXPECT_FALSE(Get<domain::Agent>(store(), domain::AgentId(999))->has_value());
}

TEST_P(StoreContract, PutReplacesAndDeleteRemoves) {
  auto conversation = MakeConversation(1, 10);
  ASSERT_TRUE(store().Apply(WriteBatch().Put(conversation)).ok());
  conversation.priority = 90;
  conversation.status = ConversationStatus::kAssigned;
  ASSERT_TRUE(store().Apply(WriteBatch().Put(conversation)).ok());
  EXPECT_EQ(Get<domain::Conversation>(store(), conversation.id)->value().priority, 90);
  EXPECT_EQ(*store().CountDocuments(EntityKind::kConversation, kBrand), 1);

  ASSERT_TRUE(store().Apply(WriteBatch().Delete(EntityKind::kConversation, 1)).ok());
  Reopen();
  EXPECT_FALSE(Get<domain::Conversation>(store(), conversation.id)->has_value());
  EXPECT_EQ(*store().CountDocuments(EntityKind::kConversation, kBrand), 0);
}

TEST_P(StoreContract, ListsAreScopedToTheWorkspaceAndPaged) {
  WriteBatch batch;
  for (int i = 1; i <= 25; ++i) {
    domain::Team team;
    team.id = domain::TeamId(i);
    team.workspace_id = i % 5 == 0 ? kOtherBrand : kBrand;
    team.name = "team " + std::to_string(i);
    batch.Put(team);
  }
  ASSERT_TRUE(store().Apply(batch).ok());
  auto all = ListAll<domain::Team>(store(), kBrand);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 20u);
  auto page = store().ListDocuments(EntityKind::kTeam, kBrand, 10, 3);
  ASSERT_TRUE(page.ok());
  auto teams = DecodeAll<domain::Team>(*page);
  ASSERT_EQ(teams->size(), 3u);
  EXPECT_EQ((*teams)[0].id, domain::TeamId(11));
  EXPECT_EQ((*teams)[2].id, domain::TeamId(13));
  EXPECT_EQ(*store().CountDocuments(EntityKind::kTeam, kOtherBrand), 5);
  EXPECT_EQ(*store().CountDocuments(EntityKind::kTeam, domain::WorkspaceId()), 25);
  EXPECT_EQ(ListAll<domain::Team>(store(), domain::WorkspaceId())->size(), 25u);
}

TEST_P(StoreContract, FindsMessagesByPlatformId) {
  ASSERT_TRUE(store().Apply(WriteBatch().Put(MakeMessage(1, "tweet-1", 9, 10))).ok());
  Reopen();
  EXPECT_EQ(store().FindMessageByPlatformId(kAccount, "tweet-1")->value().id, domain::MessageId(1));
  EXPECT_EQ(store().FindMessageByPlatformId(kAccount, "tweet-1")->value().conversation_id,
            domain::ConversationId(9));
  EXPECT_FALSE(store().FindMessageByPlatformId(kAccount, "tweet-2")->has_value());
  EXPECT_FALSE(
      store().FindMessageByPlatformId(domain::ChannelAccountId(11), "tweet-1")->has_value());
}

TEST_P(StoreContract, ADuplicatePlatformIdRefusesTheWholeBatch) {
  ASSERT_TRUE(store().Apply(WriteBatch().Put(MakeMessage(1, "tweet-1", 9, 10))).ok());
  WriteBatch batch;
  batch.Put(MakeConversation(9, 10)).Put(MakeMessage(2, "tweet-1", 9, 20));
  auto status = store().Apply(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, core::ErrorCode::kConflict);
  // Nothing of the refused batch was kept.
  EXPECT_FALSE(Get<domain::Conversation>(store(), domain::ConversationId(9))->has_value());
  EXPECT_FALSE(Get<domain::Message>(store(), domain::MessageId(2))->has_value());
  // Messages without a platform id (drafts) never collide.
  ASSERT_TRUE(
      store().Apply(WriteBatch().Put(MakeMessage(3, "", 9, 1)).Put(MakeMessage(4, "", 9, 2))).ok());
}

TEST_P(StoreContract, FindsCustomersByIdentityAndFollowsRelinking) {
  auto jane = MakeCustomer(1, "x-jane");
  jane.identities.push_back(
      {ChannelKind::kWhatsApp, "447700900123", "+447700900123", "", 0, false});
  ASSERT_TRUE(store().Apply(WriteBatch().Put(jane)).ok());
  EXPECT_EQ(store().FindCustomerByIdentity(kBrand, ChannelKind::kWhatsApp, "447700900123")->value(),
            jane.id);
  EXPECT_FALSE(store().FindCustomerByIdentity(kOtherBrand, ChannelKind::kX, "x-jane")->has_value());

  // Split the WhatsApp identity off to a new customer: both sides in one batch.
  jane.identities.pop_back();
  auto split = MakeCustomer(2, "x-other");
  split.identities = {{ChannelKind::kWhatsApp, "447700900123", "+447700900123", "", 0, false}};
  ASSERT_TRUE(store().Apply(WriteBatch().Put(split).Put(jane)).ok());  // either order works
  Reopen();
  EXPECT_EQ(store().FindCustomerByIdentity(kBrand, ChannelKind::kWhatsApp, "447700900123")->value(),
            split.id);

  // Claiming an identity that another customer holds is a conflict.
  auto thief = MakeCustomer(3, "x-jane");
  EXPECT_EQ(store().Apply(WriteBatch().Put(thief)).error().code, core::ErrorCode::kConflict);
}

TEST_P(StoreContract, AProfileRefreshKeepsTheIdentities) {
  auto jane = MakeCustomer(1, "x-jane");
  ASSERT_TRUE(store().Apply(WriteBatch().Put(jane)).ok());
  jane.display_name = "Jane D.";
  jane.identities[0].followers = 4200;  // the profile moved; the identity did not
  ASSERT_TRUE(store().Apply(WriteBatch().PutKnownIdentities(jane)).ok());
  Reopen();
  EXPECT_EQ(store().FindCustomerByIdentity(kBrand, ChannelKind::kX, "x-jane")->value(), jane.id);
  EXPECT_EQ(Get<domain::Customer>(store(), jane.id)->value(), jane);
}

TEST_P(StoreContract, FindsRepliesByTheirParentsPlatformId) {
  auto early = MakeMessage(1, "reply-2", 7, 300);
  early.in_reply_to_platform_id = "parent";
  auto earlier = MakeMessage(2, "reply-1", 7, 100);
  earlier.in_reply_to_platform_id = "parent";
  auto other = MakeMessage(3, "x", 8, 50);
  other.in_reply_to_platform_id = "someone-else";
  ASSERT_TRUE(store().Apply(WriteBatch().Put(early).Put(earlier).Put(other)).ok());
  Reopen();
  auto replies = DecodeAll<domain::Message>(*store().ListRepliesTo(kAccount, "parent", 10));
  ASSERT_EQ(replies->size(), 2u);
  EXPECT_EQ((*replies)[0].platform_message_id, "reply-1");
  EXPECT_TRUE(store().ListRepliesTo(kAccount, "nobody", 10)->empty());
  EXPECT_TRUE(store().ListRepliesTo(domain::ChannelAccountId(99), "parent", 10)->empty());
}

TEST_P(StoreContract, ListsAConversationsMessagesInPublishedOrder) {
  WriteBatch batch;
  batch.Put(MakeMessage(1, "a", 7, 300)).Put(MakeMessage(2, "b", 7, 100));
  batch.Put(MakeMessage(3, "c", 8, 200)).Put(MakeMessage(4, "d", 7, 200));
  ASSERT_TRUE(store().Apply(batch).ok());
  auto messages =
      DecodeAll<domain::Message>(*store().ListConversationMessages(domain::ConversationId(7), 100));
  ASSERT_EQ(messages->size(), 3u);
  EXPECT_EQ((*messages)[0].platform_message_id, "b");
  EXPECT_EQ((*messages)[1].platform_message_id, "d");
  EXPECT_EQ((*messages)[2].platform_message_id, "a");
}

TEST_P(StoreContract, ListsWhatBelongsToAParentInIdOrder) {
  WriteBatch batch;
  for (int i = 1; i <= 5; ++i) {
    domain::Note note;
    note.id = domain::NoteId(10 - i);
    note.workspace_id = domain::WorkspaceId(1);
    note.conversation_id = domain::ConversationId(i % 2 == 0 ? 7 : 8);
    note.kind = "note";
    note.text = "note " + std::to_string(i);
    batch.Put(note);
  }
  ASSERT_TRUE(store().Apply(batch).ok());
  const auto of = [&](std::int64_t conversation, int limit,
                      Store::Order order = Store::Order::kOldestFirst) {
    return *store().ListByParent(EntityKind::kNote, conversation, limit, order);
  };
  auto notes = DecodeAll<domain::Note>(of(8, 100));
  ASSERT_TRUE(notes.ok());
  ASSERT_EQ(notes->size(), 3u);
  EXPECT_EQ((*notes)[0].text, "note 5");
  EXPECT_EQ((*notes)[2].text, "note 1");
  auto newest = DecodeAll<domain::Note>(of(8, 2, Store::Order::kNewestFirst));
  ASSERT_EQ(newest->size(), 2u);
  EXPECT_EQ((*newest)[0].text, "note 1");
  EXPECT_EQ((*newest)[1].text, "note 3");
  EXPECT_TRUE(of(9, 10).empty());
  EXPECT_TRUE(store().ListByParent(EntityKind::kRule, 8, 10, Store::Order::kOldestFirst)->empty());
  ASSERT_TRUE(store().Apply(WriteBatch().Delete(EntityKind::kNote, 5)).ok());
  EXPECT_EQ(of(8, 100).size(), 2u);
}

TEST_P(StoreContract, ConversationQueriesFilterSortAndPage) {
  WriteBatch batch;
  for (int i = 1; i <= 40; ++i) {
    auto c =
        MakeConversation(i, (i * 37) % 100,
                         i % 4 == 0 ? ConversationStatus::kResolved : ConversationStatus::kQueued);
    if (i % 3 == 0) c.sla.first_response_due = core::FromMillis(5'000'000 - i);
    c.team_id = domain::TeamId(i % 2 == 0 ? 1 : 2);
    batch.Put(c);
  }
  auto foreign = MakeConversation(99, 100);
  foreign.workspace_id = kOtherBrand;
  batch.Put(foreign);
  ASSERT_TRUE(store().Apply(batch).ok());

  ConversationQuery query;
  query.workspace_id = kBrand;
  query.statuses = {ConversationStatus::kQueued};
  query.limit = 7;
  std::vector<domain::Conversation> seen;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store().QueryConversations(query);
    ASSERT_TRUE(page.ok()) << page.error().ToString();
    auto decoded = DecodeAll<domain::Conversation>(page->documents);
    seen.insert(seen.end(), decoded->begin(), decoded->end());
    if (page->next_cursor.empty()) break;
    query.cursor = page->next_cursor;
  }
  ASSERT_EQ(seen.size(), 30u);  // every queued conversation exactly once
  for (std::size_t i = 1; i < seen.size(); ++i) {
    const auto& a = seen[i - 1];
    const auto& b = seen[i];
    const auto due = [](const domain::Conversation& c) {
      return c.sla.Earliest() ? core::ToMillis(*c.sla.Earliest()) : kNoDeadline;
    };
    ASSERT_TRUE(a.priority > b.priority || (a.priority == b.priority && due(a) < due(b)) ||
                (a.priority == b.priority && due(a) == due(b) && a.id < b.id))
        << "out of order at " << i;
    ASSERT_EQ(b.status, ConversationStatus::kQueued);
  }

  ConversationQuery recent;
  recent.workspace_id = kBrand;
  recent.team_id = domain::TeamId(1);
  recent.sort = ConversationSort::kRecent;
  recent.limit = 500;
  auto page = store().QueryConversations(recent);
  auto decoded = DecodeAll<domain::Conversation>(page->documents);
  ASSERT_EQ(decoded->size(), 20u);
  EXPECT_EQ((*decoded)[0].id, domain::ConversationId(40));
  EXPECT_TRUE(page->next_cursor.empty());
}

TEST_P(StoreContract, ConversationQueriesRefuseBadInput) {
  ConversationQuery query;
  query.workspace_id = kBrand;
  query.cursor = "garbage";
  EXPECT_EQ(store().QueryConversations(query).error().code, core::ErrorCode::kInvalidArgument);
  query.cursor = "r.5.5";  // a cursor of the other sort order
  EXPECT_EQ(store().QueryConversations(query).error().code, core::ErrorCode::kInvalidArgument);
  query.cursor.clear();
  query.limit = 0;
  EXPECT_EQ(store().QueryConversations(query).error().code, core::ErrorCode::kInvalidArgument);
  query.limit = 10;
  query.workspace_id = domain::WorkspaceId();
  EXPECT_EQ(store().QueryConversations(query).error().code, core::ErrorCode::kInvalidArgument);
}

TEST_P(StoreContract, AuditTrailIsAHashChainThatSurvivesReopen) {
  for (int i = 0; i < 5; ++i) {
    domain::AuditEvent event;
    event.workspace_id = kBrand;
    event.at = clock_.Now();
    event.actor = "user:1";
    event.action = "conversation.assigned";
    event.subject_type = "conversation";
    event.subject_id = std::to_string(i);
    auto stored = store().AppendAudit(event);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->sequence, i + 1);
    if (i == 2) Reopen();
  }
  auto events = store().ListAudit(0, 100);
  ASSERT_EQ(events->size(), 5u);
  EXPECT_TRUE(VerifyAuditChain(*events, "").ok());
  EXPECT_EQ((*events)[1].previous_hash, (*events)[0].hash);

  auto tampered = *events;
  tampered[2].note = "nothing to see here";
  auto broken = VerifyAuditChain(tampered, "");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().message, "audit chain broken at sequence 3");
  tampered = *events;
  tampered.erase(tampered.begin() + 1);
  EXPECT_FALSE(VerifyAuditChain(tampered, "").ok());

  auto tail = store().ListAudit(3, 100);
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_TRUE(VerifyAuditChain(*tail, (*events)[2].hash).ok());
}

RawPayload MakePayload(std::string body) {
  RawPayload p;
  p.channel = ChannelKind::kGeneric;
  p.account_id = kAccount;
  p.source = "test";
  p.headers_json = R"({"content-type":"application/json"})";
  p.body = std::move(body);
  p.received_at = core::FromMillis(1'800'000'000'000);
  return p;
}

TEST_P(StoreContract, InboxKeepsEveryAppendedPayloadAcrossReopen) {
  std::vector<domain::RawPayloadId> ids;
  for (int i = 0; i < 10; ++i) {
    auto id = AppendAndWait(inbox(), MakePayload("{\"n\":" + std::to_string(i) + "}"));
    ASSERT_TRUE(id.ok()) << id.error().ToString();
    if (!ids.empty()) {
      EXPECT_GT(*id, ids.back());
    }
    ids.push_back(*id);
  }
  // A body is kept byte for byte, including bytes that are not valid UTF-8 or contain NUL.
  const std::string binary("\x00\xff\xfe{not json", 12);
  auto binary_id = AppendAndWait(inbox(), MakePayload(binary));
  ASSERT_TRUE(binary_id.ok());
  Reopen();
  auto pending = inbox().FetchPending(domain::RawPayloadId(), 100);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 11u);
  EXPECT_EQ((*pending)[3].body, "{\"n\":3}");
  EXPECT_EQ((*pending)[3].headers_json, R"({"content-type":"application/json"})");
  EXPECT_EQ((*pending)[3].state, domain::PayloadState::kPending);
  EXPECT_EQ(inbox().Get(*binary_id)->value().body, binary);
}

TEST_P(StoreContract, InboxProcessingAndDeadLetters) {
  std::vector<domain::RawPayloadId> ids;
  ids.reserve(5);
  for (int i = 0; i < 5; ++i) ids.push_back(*AppendAndWait(inbox(), MakePayload("x")));
  ASSERT_TRUE(inbox().MarkProcessed({ids[0], ids[1]}, clock_.Now()).ok());
  ASSERT_TRUE(inbox().MarkDeadLetter(ids[2], "unknown event type 'foo'").ok());
  Reopen();

  auto pending = inbox().FetchPending(domain::RawPayloadId(), 100);
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].id, ids[3]);
  EXPECT_EQ(inbox().FetchPending(ids[3], 100)->size(), 1u);

  auto dead = inbox().ListDeadLetters(domain::RawPayloadId(), 100);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].error, "unknown event type 'foo'");
  EXPECT_EQ((*dead)[0].attempts, 1);

  auto counts = inbox().Counts();
  EXPECT_EQ(counts->pending, 2);
  EXPECT_EQ(counts->processed, 2);
  EXPECT_EQ(counts->dead_letters, 1);

  EXPECT_EQ(inbox().Replay(ids[0]).error().code, core::ErrorCode::kFailedPrecondition);
  EXPECT_EQ(inbox().Replay(domain::RawPayloadId(12345)).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(inbox().MarkDeadLetter(ids[0], "late").error().code,
            core::ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(inbox().Replay(ids[2]).ok());
  EXPECT_EQ(inbox().FetchPending(domain::RawPayloadId(), 100)->size(), 3u);
  EXPECT_TRUE(inbox().Get(ids[2])->value().error.empty());

  // Marking twice is harmless: processing is idempotent.
  ASSERT_TRUE(inbox().MarkProcessed({ids[0]}, clock_.Now()).ok());
  EXPECT_EQ(inbox().Counts()->processed, 2);
}

TEST_P(StoreContract, InboxTakesConcurrentAppendsWithoutLosingAny) {
  constexpr int kThreads = 4;
  constexpr int kEach = 250;
  std::atomic<int> failures{0};
  std::atomic<int> commits{0};
  inbox().SetCommitListener([&commits] { commits.fetch_add(1); });
  std::mutex ids_mutex;
  std::set<std::int64_t> ids;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto id = AppendAndWait(inbox(), MakePayload(std::to_string(t * kEach + i)));
        if (!id.ok()) {
          failures.fetch_add(1);
          continue;
        }
        std::lock_guard lock(ids_mutex);
        ids.insert(id->value());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_GE(commits.load(), 1);
  Reopen();
  EXPECT_EQ(inbox().Counts()->pending, kThreads * kEach);
}

TEST_P(StoreContract, AClosedInboxRefusesAppends) {
  inbox().Close();
  auto id = AppendAndWait(inbox(), MakePayload("late"));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, core::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace parley::storage::testing
