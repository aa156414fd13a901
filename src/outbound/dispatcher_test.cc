#include "parley/outbound/dispatcher.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "parley/outbound/fake_platform.h"
#include "parley/sqlite/sqlite_outbox.h"
#include "parley/storage/memory_outbox.h"

namespace parley::outbound {
namespace {

using domain::ChannelKind;
using domain::OutboundKind;
using domain::OutboxItem;
using domain::OutboxState;
using testing::FakePlatform;

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : senders_(SocialSenders(client_)) {
    account_.id = domain::ChannelAccountId(10);
    account_.kind = ChannelKind::kX;
    account_.name = "acme-x";
    account_.platform_account_id = "1500000000000000001";
    account_.api_base_url = fake_.base();
    account_.credentials["access_token"] = "tok";
  }

  std::unique_ptr<Dispatcher> MakeDispatcher(storage::Outbox& outbox) {
    DispatcherOptions options;
    options.max_attempts = 3;
    options.poll_interval = std::chrono::milliseconds(50);
    return std::make_unique<Dispatcher>(
        outbox, senders_,
        [this](domain::ChannelAccountId id) -> std::optional<domain::ChannelAccount> {
          if (id == account_.id) return account_;
          return std::nullopt;
        },
        clock_, ids_,
        [this](const OutboxItem& item) {
          std::lock_guard lock(mutex_);
          told_.push_back(item);
        },
        &metrics_, options);
  }

  OutboxItem Reply(storage::Outbox& outbox, std::string text = "Sorry to hear that") {
    OutboxItem item;
    item.workspace_id = domain::WorkspaceId(1);
    item.channel_account_id = account_.id;
    item.action.kind = OutboundKind::kReply;
    item.action.target_platform_id = "1850000000000000001";
    item.action.text = std::move(text);
    item.created_at = clock_.Now();
    return outbox.Enqueue(item).value();
  }

  std::vector<OutboxItem> told() {
    std::lock_guard lock(mutex_);
    return told_;
  }

  FakePlatform fake_;
  http::HttpClient client_;
  SenderRegistry senders_;
  domain::ChannelAccount account_;
  core::ManualClock clock_{core::FromMillis(1'800'000'000'000)};
  core::IdGenerator ids_{clock_, 1};
  telemetry::Registry metrics_;
  storage::MemoryOutbox memory_;
  std::mutex mutex_;
  std::vector<OutboxItem> told_;
};

TEST_F(DispatcherTest, SendsAReplyAndKeepsThePlatformId) {
  auto dispatcher = MakeDispatcher(memory_);
  auto item = Reply(memory_);
  fake_.Answer(201, R"({"data":{"id":"1860000000000000001","text":"Sorry to hear that"}})");
  EXPECT_EQ(dispatcher->RunOnce().value(), 1);

  auto stored = memory_.Get(item.id).value();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->state, OutboxState::kSent);
  EXPECT_EQ(stored->platform_id, "1860000000000000001");
  EXPECT_TRUE(stored->message_id.valid());  // named when claimed
  EXPECT_EQ(stored->finished_at, clock_.Now());
  auto changes = told();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].state, OutboxState::kSending);
  EXPECT_EQ(changes[0].message_id, stored->message_id);
  EXPECT_EQ(changes[1].state, OutboxState::kSent);
  EXPECT_EQ(fake_.requests().size(), 1u);
  EXPECT_NE(
      metrics_.RenderPrometheus().find(R"(parley_outbound_total{kind="reply",result="sent"} 1)"),
      std::string::npos);
}

TEST_F(DispatcherTest, WaitsAsLongAsTheRateLimitSaysThenSends) {
  auto dispatcher = MakeDispatcher(memory_);
  auto item = Reply(memory_);
  fake_.Answer(429, R"({"title":"Too Many Requests","status":429})", {{"retry-after", "30"}});
  fake_.Answer(201, R"({"data":{"id":"1860000000000000002"}})");

  EXPECT_EQ(dispatcher->RunOnce().value(), 1);
  auto waiting = memory_.Get(item.id).value().value();
  EXPECT_EQ(waiting.state, OutboxState::kQueued);
  EXPECT_EQ(waiting.error_code, "rate_limited");
  EXPECT_EQ(waiting.next_attempt_at, clock_.Now() + std::chrono::seconds(30));

  clock_.Advance(std::chrono::seconds(29));
  EXPECT_EQ(dispatcher->RunOnce().value(), 0);  // not yet
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(dispatcher->RunOnce().value(), 1);
  auto sent = memory_.Get(item.id).value().value();
  EXPECT_EQ(sent.state, OutboxState::kSent);
  EXPECT_EQ(sent.attempts, 2);
  EXPECT_EQ(fake_.requests().size(), 2u);
}

TEST_F(DispatcherTest, RefusalsAreFinalWithThePlatformsReason) {
  auto dispatcher = MakeDispatcher(memory_);
  auto item = Reply(memory_);
  fake_.Answer(401, R"({"title":"Unauthorized","status":401,"detail":"Unauthorized"})");
  EXPECT_EQ(dispatcher->RunOnce().value(), 1);
  auto failed = memory_.Get(item.id).value().value();
  EXPECT_EQ(failed.state, OutboxState::kFailed);
  EXPECT_EQ(failed.error_code, "token_expired");
  EXPECT_NE(failed.error.find("expired or revoked"), std::string::npos);
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(dispatcher->RunOnce().value(), 0);
  EXPECT_EQ(fake_.requests().size(), 1u);

  OutboxItem orphan = item;
  orphan.channel_account_id = domain::ChannelAccountId(99);
  auto enqueued = memory_.Enqueue(orphan).value();
  EXPECT_EQ(dispatcher->RunOnce().value(), 1);
  EXPECT_EQ(memory_.Get(enqueued.id).value()->error_code, "not_configured");
}

TEST_F(DispatcherTest, GivesUpAfterMaxAttemptsWithBackoff) {
  auto dispatcher = MakeDispatcher(memory_);
  auto item = Reply(memory_);
  for (int i = 0; i < 3; ++i) fake_.Answer(503, R"({"title":"Service Unavailable"})");
  EXPECT_EQ(dispatcher->RunOnce().value(), 1);
  auto first = memory_.Get(item.id).value().value();
  EXPECT_EQ(first.next_attempt_at, clock_.Now() + std::chrono::seconds(2));
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_EQ(dispatcher->RunOnce().value(), 1);
  auto second = memory_.Get(item.id).value().value();
  EXPECT_EQ(second.next_attempt_at, clock_.Now() + std::chrono::seconds(4));  // doubled
  clock_.Advance(std::chrono::seconds(4));
  EXPECT_EQ(dispatcher->RunOnce().value(), 1);
  auto last = memory_.Get(item.id).value().value();
  EXPECT_EQ(last.state, OutboxState::kFailed);
  EXPECT_EQ(last.error_code, "server_error");
  EXPECT_NE(last.error.find("gave up after 3 attempts"), std::string::npos);
}

// The server stops after marking an item sending and before the platform answers: after the
// restart the item is unconfirmed and no second request goes out.
TEST_F(DispatcherTest, NeverSendsTwiceAcrossARestart) {
  std::random_device random;
  const auto dir =
      std::filesystem::temp_directory_path() / ("parley-outbox-test-" + std::to_string(random()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "outbox.db").string();
  domain::OutboxId id;
  {
    auto outbox = sqlite::SqliteOutbox::Open(path, clock_).value();
    id = Reply(*outbox).id;
    // What a dispatcher does right before the request leaves; then the process dies.
    ASSERT_EQ(outbox->Claim(clock_.Now(), 10, nullptr).value().size(), 1u);
  }
  {
    auto outbox = sqlite::SqliteOutbox::Open(path, clock_).value();
    auto dispatcher = MakeDispatcher(*outbox);
    auto recovered = dispatcher->Recover().value();
    ASSERT_EQ(recovered.size(), 1u);
    EXPECT_EQ(recovered[0].id, id);
    EXPECT_EQ(recovered[0].state, OutboxState::kUnconfirmed);
    clock_.Advance(std::chrono::hours(1));
    EXPECT_EQ(dispatcher->RunOnce().value(), 0);
    ASSERT_EQ(told().size(), 1u);
    EXPECT_EQ(told()[0].state, OutboxState::kUnconfirmed);
    EXPECT_EQ(outbox->Get(id).value()->state, OutboxState::kUnconfirmed);
  }
  EXPECT_TRUE(fake_.requests().empty());
  std::filesystem::remove_all(dir);
}

TEST_F(DispatcherTest, TheThreadSendsWhatIsEnqueued) {
  auto dispatcher = MakeDispatcher(memory_);
  ASSERT_TRUE(dispatcher->Start().ok());
  fake_.Answer(201, R"({"data":{"id":"1860000000000000003"}})");
  auto item = Reply(memory_);
  dispatcher->Wake();
  for (int i = 0; i < 500 && memory_.Get(item.id).value()->state != OutboxState::kSent; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  dispatcher->Stop();
  EXPECT_EQ(memory_.Get(item.id).value()->state, OutboxState::kSent);
}

}  // namespace
}  // namespace parley::outbound
