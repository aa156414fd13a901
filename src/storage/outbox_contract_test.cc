// The outbox part of the storage contract (see contract_test.h).
#include "parley/storage/contract_test.h"

namespace parley::storage::testing {
namespace {

using domain::OutboundKind;
using domain::OutboxItem;
using domain::OutboxState;

OutboxItem MakeItem(core::Timestamp at, std::string text) {
  OutboxItem item;
  item.workspace_id = domain::WorkspaceId(100);
  item.channel_account_id = domain::ChannelAccountId(10);
  item.action.kind = OutboundKind::kReply;
  item.action.target_platform_id = "1850000000000000001";
  item.action.text = std::move(text);
  item.created_at = at;
  return item;
}

TEST_P(StoreContract, OutboxEnqueueAssignsIdsAndQueues) {
  auto first = outbox().Enqueue(MakeItem(clock_.Now(), "one"));
  auto second = outbox().Enqueue(MakeItem(clock_.Now(), "two"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(first->id.valid());
  EXPECT_LT(first->id, second->id);
  EXPECT_EQ(first->state, OutboxState::kQueued);
  EXPECT_EQ(first->next_attempt_at, clock_.Now());
  Reopen();
  auto stored = outbox().Get(first->id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(**stored, *first);
  EXPECT_FALSE(outbox().Get(domain::OutboxId(999'999)).value().has_value());
}

TEST_P(StoreContract, OutboxClaimsDueItemsOnceEarliestFirst) {
  auto later = MakeItem(clock_.Now(), "later");
  later.next_attempt_at = clock_.Now() + std::chrono::seconds(30);
  ASSERT_TRUE(outbox().Enqueue(later).ok());
  auto a = outbox().Enqueue(MakeItem(clock_.Now(), "a"));
  auto b = outbox().Enqueue(MakeItem(clock_.Now() - std::chrono::seconds(5), "b"));
  ASSERT_TRUE(a.ok() && b.ok());

  auto claimed = outbox().Claim(clock_.Now(), 10, [](OutboxItem& item) {
    item.message_id = domain::MessageId(7000 + item.id.value());
  });
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 2u);
  EXPECT_EQ((*claimed)[0].id, b->id);  // due earlier
  EXPECT_EQ((*claimed)[1].id, a->id);
  for (const auto& item : *claimed) {
    EXPECT_EQ(item.state, OutboxState::kSending);
    EXPECT_EQ(item.attempts, 1);
    EXPECT_EQ(item.message_id, domain::MessageId(7000 + item.id.value()));
  }
  Reopen();
  EXPECT_EQ(outbox().Get(a->id).value()->message_id, domain::MessageId(7000 + a->id.value()));
  EXPECT_TRUE(outbox().Claim(clock_.Now(), 10, nullptr).value().empty());
  EXPECT_EQ(outbox().NextDue().value(), later.next_attempt_at);
  clock_.Advance(std::chrono::seconds(31));
  EXPECT_EQ(outbox().Claim(clock_.Now(), 1, nullptr).value().size(), 1u);
  EXPECT_FALSE(outbox().NextDue().value().has_value());
}

TEST_P(StoreContract, OutboxFinishRecordsTheOutcome) {
  ASSERT_TRUE(outbox().Enqueue(MakeItem(clock_.Now(), "x")).ok());
  auto claimed = outbox().Claim(clock_.Now(), 1, nullptr);
  ASSERT_TRUE(claimed.ok() && claimed->size() == 1);
  OutboxItem retry = (*claimed)[0];
  retry.state = OutboxState::kQueued;
  retry.error_code = "rate_limited";
  retry.error = "Too Many Requests";
  retry.next_attempt_at = clock_.Now() + std::chrono::seconds(60);
  ASSERT_TRUE(outbox().Finish(retry).ok());
  EXPECT_EQ(outbox().Finish(retry).error().code, core::ErrorCode::kFailedPrecondition);

  clock_.Advance(std::chrono::seconds(60));
  auto again = outbox().Claim(clock_.Now(), 1, nullptr);
  ASSERT_TRUE(again.ok() && again->size() == 1);
  EXPECT_EQ((*again)[0].attempts, 2);
  EXPECT_EQ((*again)[0].error_code, "rate_limited");  // the last failure stays visible
  OutboxItem sent = (*again)[0];
  sent.state = OutboxState::kSent;
  sent.platform_id = "1850000000000000999";
  sent.error_code.clear();
  sent.error.clear();
  sent.finished_at = clock_.Now();
  ASSERT_TRUE(outbox().Finish(sent).ok());
  Reopen();
  auto stored = outbox().Get(sent.id).value();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->state, OutboxState::kSent);
  EXPECT_EQ(stored->platform_id, "1850000000000000999");
  EXPECT_EQ(stored->finished_at, clock_.Now());

  OutboxItem unknown = sent;
  unknown.id = domain::OutboxId(999'999);
  EXPECT_EQ(outbox().Finish(unknown).error().code, core::ErrorCode::kNotFound);
  ASSERT_TRUE(outbox().Enqueue(MakeItem(clock_.Now(), "y")).ok());
  OutboxItem bad = outbox().Claim(clock_.Now(), 1, nullptr).value().at(0);
  bad.state = OutboxState::kSending;
  EXPECT_EQ(outbox().Finish(bad).error().code, core::ErrorCode::kInvalidArgument);
}

TEST_P(StoreContract, OutboxItemsLeftSendingAreUnconfirmedAfterARestart) {
  auto a = outbox().Enqueue(MakeItem(clock_.Now(), "in flight"));
  auto b = outbox().Enqueue(MakeItem(clock_.Now() + std::chrono::hours(1), "not yet"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(outbox().Claim(clock_.Now(), 1, nullptr).value().size(), 1u);
  Reopen();  // the server stopped mid-request

  auto recovered = outbox().RecoverInDoubt(clock_.Now());
  ASSERT_TRUE(recovered.ok());
  ASSERT_EQ(recovered->size(), 1u);
  EXPECT_EQ((*recovered)[0].id, a->id);
  EXPECT_EQ((*recovered)[0].state, OutboxState::kUnconfirmed);
  EXPECT_EQ((*recovered)[0].error_code, "unconfirmed");
  EXPECT_TRUE(outbox().RecoverInDoubt(clock_.Now()).value().empty());
  // Never claimed again by itself...
  EXPECT_TRUE(outbox().Claim(clock_.Now(), 10, nullptr).value().empty());
  EXPECT_EQ(outbox().List(OutboxState::kUnconfirmed, {}, 10).value().size(), 1u);
  // ...only when someone who checked the platform sends it again.
  EXPECT_EQ(outbox().Requeue(b->id, clock_.Now()).error().code,
            core::ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(outbox().Requeue(a->id, clock_.Now()).ok());
  auto again = outbox().Claim(clock_.Now(), 10, nullptr).value();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 1);  // counted afresh after a person's decision
  EXPECT_EQ(outbox().Requeue(domain::OutboxId(999'999), clock_.Now()).error().code,
            core::ErrorCode::kNotFound);
}

TEST_P(StoreContract, OutboxConfirmSettlesAnUnconfirmedItem) {
  auto a = outbox().Enqueue(MakeItem(clock_.Now(), "in flight")).value();
  ASSERT_EQ(outbox().Claim(clock_.Now(), 1, nullptr).value().size(), 1u);
  EXPECT_EQ(outbox().Confirm(a.id, "p1", clock_.Now()).error().code,
            core::ErrorCode::kFailedPrecondition);  // still sending: the dispatcher settles it
  Reopen();
  ASSERT_EQ(outbox().RecoverInDoubt(clock_.Now()).value().size(), 1u);
  ASSERT_TRUE(outbox().Confirm(a.id, "p1", clock_.Now()).ok());
  auto stored = outbox().Get(a.id).value().value();
  EXPECT_EQ(stored.state, OutboxState::kSent);
  EXPECT_EQ(stored.platform_id, "p1");
  EXPECT_TRUE(stored.error_code.empty());
  // Sent: nobody can send it again by mistake.
  EXPECT_EQ(outbox().Requeue(a.id, clock_.Now()).error().code,
            core::ErrorCode::kFailedPrecondition);
  EXPECT_EQ(outbox().Confirm(domain::OutboxId(999'999), "p", clock_.Now()).error().code,
            core::ErrorCode::kNotFound);
}

TEST_P(StoreContract, OutboxListsByStateInIdOrder) {
  std::vector<domain::OutboxId> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(outbox().Enqueue(MakeItem(clock_.Now(), "m")).value().id);
  ASSERT_EQ(outbox().Claim(clock_.Now(), 2, nullptr).value().size(), 2u);
  auto all = outbox().List(std::nullopt, {}, 10).value();
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].id, ids[0]);
  EXPECT_EQ(outbox().List(OutboxState::kQueued, {}, 10).value().size(), 3u);
  EXPECT_EQ(outbox().List(OutboxState::kSending, {}, 10).value().size(), 2u);
  auto page = outbox().List(std::nullopt, ids[1], 2).value();
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].id, ids[2]);
}

}  // namespace
}  // namespace parley::storage::testing
