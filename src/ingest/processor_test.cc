#include "parley/ingest/processor.h"

#include <gtest/gtest.h>

#include "parley/storage/faulty_store.h"
#include "parley/storage/memory_inbox.h"
#include "parley/storage/memory_store.h"

namespace parley::ingest {
namespace {

class Targets final : public IngestTargets {
 public:
  std::optional<domain::ChannelAccount> FindAccount(domain::ChannelAccountId id) override {
    auto it = accounts.find(id);
    if (it == accounts.end()) return std::nullopt;
    return it->second;
  }
  engine::EngineThread* EngineFor(domain::WorkspaceId workspace) override {
    auto it = engines.find(workspace);
    return it == engines.end() ? nullptr : it->second.get();
  }
  std::map<domain::ChannelAccountId, domain::ChannelAccount> accounts;
  std::map<domain::WorkspaceId, std::unique_ptr<engine::EngineThread>> engines;
};

class ProcessorTest : public ::testing::Test {
 protected:
  ProcessorTest() {
    domain::Workspace workspace;
    workspace.id = domain::WorkspaceId(1);
    account_.id = domain::ChannelAccountId(7);
    account_.workspace_id = workspace.id;
    account_.kind = domain::ChannelKind::kGeneric;
    targets_.accounts[account_.id] = account_;
    targets_.engines[workspace.id] = std::make_unique<engine::EngineThread>(
        std::make_unique<engine::Engine>(workspace, store_, clock_, ids_), 512);
  }

  domain::RawPayloadId Append(std::string body,
                              domain::ChannelAccountId account = domain::ChannelAccountId(7)) {
    storage::RawPayload payload;
    payload.channel = domain::ChannelKind::kGeneric;
    payload.account_id = account;
    payload.body = std::move(body);
    payload.received_at = clock_.Now();
    return *storage::AppendAndWait(inbox_, std::move(payload));
  }

  static std::string Review(const std::string& id, const std::string& user = "u1") {
    return R"({"id":")" + id + R"(","kind":"review","text":"late again","author":{"id":")" + user +
           R"("}})";
  }

  std::int64_t Messages() {
    return *memory_.CountDocuments(storage::EntityKind::kMessage, domain::WorkspaceId(1));
  }

  core::ManualClock clock_{core::FromMillis(1'800'000'000'000)};
  core::IdGenerator ids_{clock_, 0};
  storage::MemoryStore memory_;
  storage::FaultyStore store_{memory_};
  storage::MemoryInbox inbox_;
  channels::ParserRegistry parsers_ = channels::ParserRegistry::Default();
  domain::ChannelAccount account_;
  Targets targets_;
  telemetry::Registry metrics_;
  InboxProcessor processor_{inbox_, parsers_, targets_, clock_, ProcessorOptions{2}, &metrics_};
};

TEST_F(ProcessorTest, ProcessesEveryPendingPayloadInRounds) {
  for (int i = 0; i < 5; ++i) Append(Review("r" + std::to_string(i), "u" + std::to_string(i)));
  auto stats = processor_.ProcessAvailable();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->processed, 5);
  EXPECT_EQ(stats->messages_created, 5);
  EXPECT_EQ(Messages(), 5);
  EXPECT_EQ(inbox_.Counts()->pending, 0);
  EXPECT_NE(metrics_.RenderPrometheus().find("parley_ingest_payloads_processed_total 5"),
            std::string::npos);
}

TEST_F(ProcessorTest, RetriedDeliveriesAreRecognised) {
  Append(Review("r1"));
  Append(Review("r1"));  // the platform retried
  auto stats = processor_.ProcessAvailable();
  EXPECT_EQ(stats->processed, 2);
  EXPECT_EQ(stats->duplicates, 1);
  EXPECT_EQ(Messages(), 1);
}

TEST_F(ProcessorTest, BadPayloadsBecomeDeadLettersWithTheReasonAndTheRestGoesOn) {
  Append("{broken");
  Append(Review("r1"));
  Append(Review("r2"), domain::ChannelAccountId(99));
  auto stats = processor_.ProcessAvailable();
  EXPECT_EQ(stats->processed, 1);
  EXPECT_EQ(stats->dead_lettered, 2);
  auto dead = inbox_.ListDeadLetters(domain::RawPayloadId(), 10);
  ASSERT_EQ(dead->size(), 2u);
  EXPECT_NE((*dead)[0].error.find("body: is not valid JSON"), std::string::npos);
  EXPECT_EQ((*dead)[1].error, "unknown channel account 99");
  EXPECT_EQ(Messages(), 1);
}

TEST_F(ProcessorTest, ADeadLetterReplaysAfterTheFix) {
  const auto id = Append(Review("r1"), domain::ChannelAccountId(8));
  EXPECT_EQ(processor_.ProcessAvailable()->dead_lettered, 1);
  // The admin adds the missing account, then replays.
  auto account = account_;
  account.id = domain::ChannelAccountId(8);
  targets_.accounts[account.id] = account;
  ASSERT_TRUE(inbox_.Replay(id).ok());
  auto stats = processor_.ProcessAvailable();
  EXPECT_EQ(stats->processed, 1);
  EXPECT_EQ(Messages(), 1);
}

TEST_F(ProcessorTest, StorageOutagesDeferWithoutLosingAnything) {
  Append(Review("r1"));
  Append(Review("r2", "u2"));
  store_.FailNextApplies(1);
  auto first = processor_.ProcessAvailable();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->processed, 0);
  EXPECT_EQ(first->deferred, 2);
  EXPECT_EQ(inbox_.Counts()->pending, 2);
  auto second = processor_.ProcessAvailable();
  EXPECT_EQ(second->processed, 2);
  EXPECT_EQ(Messages(), 2);
}

TEST_F(ProcessorTest, APayloadThatBreaksItsBatchIsIsolated) {
  Append(Review("r1"));
  Append(Review("r2", "u2"));
  // A failure that is not transient: the batch is retried payload by payload, and only the one
  // that still fails is dead-lettered.
  store_.FailNextApplies(2, core::ErrorCode::kInternal);
  auto stats = processor_.ProcessAvailable();
  EXPECT_EQ(stats->dead_lettered, 1);
  EXPECT_EQ(stats->processed, 1);
  EXPECT_EQ(Messages(), 1);
}

TEST_F(ProcessorTest, StoppingTheBackgroundThreadFinishesWhatIsPending) {
  inbox_.SetCommitListener([this] { processor_.Notify(); });
  processor_.Start(std::chrono::milliseconds(60'000));
  Append(Review("r1"));
  Append(Review("r2", "u2"));
  processor_.Stop();  // deterministic: the thread runs a last round before it exits
  EXPECT_EQ(inbox_.Counts()->processed, 2);
  EXPECT_EQ(Messages(), 2);
}

}  // namespace
}  // namespace parley::ingest
