#include "parley/outbound/webhooks.h"

#include <gtest/gtest.h>

#include <thread>

#include "parley/outbound/fake_platform.h"
#include "parley/storage/memory_store.h"

namespace parley::outbound {
namespace {

using namespace std::chrono_literals;

TEST(WebhookSignature, IsTheHmacOfTimeAndBody) {
  // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
  EXPECT_EQ(WebhookSignature("whsec_test", 1700000000, R"({"a":1})"),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
  EXPECT_NE(WebhookSignature("whsec_test", 1700000001, R"({"a":1})"),
            WebhookSignature("whsec_test", 1700000000, R"({"a":1})"));
}

TEST(Wants, ExactTypesFamiliesAndEverything) {
  domain::WebhookSubscription s;
  EXPECT_TRUE(domain::Wants(s, "message.created"));
  s.events = {"conversation.*", "message.created"};
  EXPECT_TRUE(domain::Wants(s, "conversation.assigned"));
  EXPECT_TRUE(domain::Wants(s, "message.created"));
  EXPECT_FALSE(domain::Wants(s, "message.updated"));
  EXPECT_FALSE(domain::Wants(s, "conversations.x"));
}

class WebhookDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    subscription_.id = domain::WebhookId(1);
    subscription_.workspace_id = domain::WorkspaceId(7);
    subscription_.url = platform_.base() + "/hooks/parley";
    subscription_.secret = "whsec_abc";
    subscription_.events = {"conversation.*"};
    ASSERT_TRUE(store_.Apply(storage::WriteBatch().Put(subscription_)).ok());
  }

  std::unique_ptr<WebhookDispatcher> Make() {
    WebhookOptions options;
    options.first_retry = 1s;
    options.max_retry = 4s;
    options.max_attempts = 3;
    options.timeout = 2000ms;
    return std::make_unique<WebhookDispatcher>(store_, client_, clock_, ids_, nullptr, options);
  }

  std::vector<domain::WebhookDelivery> Deliveries() {
    return *storage::ListAll<domain::WebhookDelivery>(store_, domain::WorkspaceId());
  }

  // Waits (in real time) until the store's deliveries satisfy `done`.
  template <typename Done>
  void WaitFor(Done done) {
    for (int i = 0; i < 300 && !done(Deliveries()); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(done(Deliveries()));
  }

  testing::FakePlatform platform_;
  storage::MemoryStore store_;
  http::HttpClient client_;
  core::ManualClock clock_{core::FromMillis(1'800'000'000'000)};
  core::IdGenerator ids_{clock_, 1};
  domain::WebhookSubscription subscription_;
};

TEST_F(WebhookDispatcherTest, SignsDeliversAndLogs) {
  auto dispatcher = Make();
  ASSERT_TRUE(dispatcher->Start().ok());
  dispatcher->Publish(domain::WorkspaceId(7), "conversation.assigned", R"({"n":1})");
  dispatcher->Publish(domain::WorkspaceId(7), "message.created", R"({"n":2})");        // not wanted
  dispatcher->Publish(domain::WorkspaceId(8), "conversation.assigned", R"({"n":3})");  // elsewhere
  WaitFor(
      [](const auto& d) { return d.size() == 1 && d[0].state == domain::DeliveryState::kSent; });
  dispatcher->Stop();
  const auto requests = platform_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = requests[0];
  EXPECT_EQ(request.target, "/hooks/parley");
  EXPECT_EQ(request.raw_body, R"({"n":1})");
  EXPECT_EQ(request.headers.at("parley-event"), "conversation.assigned");
  EXPECT_EQ(request.headers.at("parley-delivery"), Deliveries()[0].id.ToString());
  EXPECT_EQ(request.headers.at("parley-signature"),
            WebhookSignature("whsec_abc", 1'800'000'000, R"({"n":1})"));
  const auto delivery = Deliveries()[0];
  EXPECT_EQ(delivery.attempts, 1);
  EXPECT_EQ(delivery.last_status, 200);
  EXPECT_TRUE(delivery.finished_at.has_value());
}

TEST_F(WebhookDispatcherTest, RetriesWithBackoffThenFailsAndCanBeRedelivered) {
  platform_.Answer(500, "{}");
  platform_.Answer(503, "{}");
  platform_.Answer(500, "{}");
  auto dispatcher = Make();
  ASSERT_TRUE(dispatcher->Start().ok());
  dispatcher->Publish(domain::WorkspaceId(7), "conversation.resolved", "{}");
  WaitFor([](const auto& d) { return d.size() == 1 && d[0].attempts == 1; });
  EXPECT_EQ(Deliveries()[0].state, domain::DeliveryState::kQueued);
  EXPECT_EQ(Deliveries()[0].last_status, 500);
  EXPECT_EQ(Deliveries()[0].next_attempt_at, clock_.Now() + 1s);
  // Not before its time.
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(platform_.requests().size(), 1u);
  clock_.Advance(1s);
  WaitFor([](const auto& d) { return d[0].attempts == 2; });
  EXPECT_EQ(Deliveries()[0].next_attempt_at, clock_.Now() + 2s);  // doubled
  clock_.Advance(2s);
  WaitFor([](const auto& d) { return d[0].state == domain::DeliveryState::kFailed; });
  EXPECT_EQ(Deliveries()[0].attempts, 3);
  EXPECT_EQ(Deliveries()[0].last_error, "the receiver answered 500");

  auto again = dispatcher->Redeliver(Deliveries()[0].id);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  WaitFor([](const auto& d) { return d[0].state == domain::DeliveryState::kSent; });
  EXPECT_EQ(Deliveries()[0].attempts, 1);
  EXPECT_EQ(platform_.requests().size(), 4u);
  EXPECT_EQ(dispatcher->Redeliver(domain::WebhookDeliveryId(999)).error().code,
            core::ErrorCode::kNotFound);
}

TEST_F(WebhookDispatcherTest, AQueuedDeliveryGoesOnAfterARestartAndNoAnswerIsRetried) {
  {
    // Nothing listens: the connection is refused.
    subscription_.url = "http://127.0.0.1:1/nobody";
    ASSERT_TRUE(store_.Apply(storage::WriteBatch().Put(subscription_)).ok());
    auto dispatcher = Make();
    ASSERT_TRUE(dispatcher->Start().ok());
    dispatcher->Publish(domain::WorkspaceId(7), "conversation.created", "{}");
    WaitFor([](const auto& d) { return d.size() == 1 && d[0].attempts == 1; });
    EXPECT_EQ(Deliveries()[0].last_status, 0);
    EXPECT_NE(Deliveries()[0].last_error.find("no answer"), std::string::npos);
  }
  subscription_.url = platform_.base() + "/hooks/parley";
  ASSERT_TRUE(store_.Apply(storage::WriteBatch().Put(subscription_)).ok());
  auto dispatcher = Make();
  ASSERT_TRUE(dispatcher->Start().ok());
  clock_.Advance(1s);
  WaitFor([](const auto& d) { return d[0].state == domain::DeliveryState::kSent; });
  EXPECT_EQ(Deliveries()[0].attempts, 2);
}

}  // namespace
}  // namespace parley::outbound
