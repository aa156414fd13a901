#include "parley/engine/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "parley/engine/engine_thread.h"
#include "parley/storage/faulty_store.h"
#include "parley/storage/memory_store.h"

namespace parley::engine {
namespace {

using domain::ChannelKind;
using domain::ConversationStatus;

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() {
    workspace_.id = domain::WorkspaceId(1);
    workspace_.slug = "acme";
    x_.id = domain::ChannelAccountId(10);
    x_.workspace_id = workspace_.id;
    x_.kind = ChannelKind::kX;
    facebook_.id = domain::ChannelAccountId(11);
    facebook_.workspace_id = workspace_.id;
    facebook_.kind = ChannelKind::kFacebook;
    engine_ = std::make_unique<Engine>(workspace_, store_, clock_, ids_);
  }

  static IngestCommand Tweet(const domain::ChannelAccount& account, std::string id,
                             std::string user, std::string text, std::string reply_to = "") {
    domain::Message m;
    m.platform_message_id = std::move(id);
    m.author.platform_user_id = std::move(user);
    m.author.handle = "@" + m.author.platform_user_id;
    m.author.followers = 120;
    m.text = std::move(text);
    m.in_reply_to_platform_id = std::move(reply_to);
    m.published_at = core::FromMillis(1'800'000'000'000);
    return IngestCommand{domain::InboundMessage{m}, account, domain::RawPayloadId(1)};
  }

  std::vector<Outcome> Run(std::vector<Command> commands) {
    auto outcomes = engine_->Process(commands);
    EXPECT_TRUE(outcomes.ok()) << outcomes.error().ToString();
    return outcomes.ok() ? *outcomes : std::vector<Outcome>{};
  }

  domain::Conversation ConversationOf(const Outcome& outcome) {
    return storage::Get<domain::Conversation>(store_, outcome.conversation_id)->value();
  }

  core::ManualClock clock_{core::FromMillis(1'800'000'000'000)};
  core::IdGenerator ids_{clock_, 0};
  storage::MemoryStore memory_;
  storage::FaultyStore store_{memory_};
  domain::Workspace workspace_;
  domain::ChannelAccount x_;
  domain::ChannelAccount facebook_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineTest, AFirstMentionOpensAConversationForANewCustomer) {
  auto outcomes = Run({Tweet(x_, "t1", "u1", "my flight is delayed")});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, OutcomeKind::kCreated);
  EXPECT_TRUE(outcomes[0].new_conversation);
  const auto conversation = ConversationOf(outcomes[0]);
  EXPECT_EQ(conversation.status, ConversationStatus::kQueued);
  EXPECT_EQ(conversation.message_count, 1);
  EXPECT_EQ(conversation.channels, std::vector{ChannelKind::kX});
  const auto message = storage::Get<domain::Message>(memory_, outcomes[0].message_id)->value();
  EXPECT_EQ(message.channel, ChannelKind::kX);
  EXPECT_EQ(message.customer_id, conversation.customer_id);
  EXPECT_EQ(message.raw_payload_id, domain::RawPayloadId(1));
  const auto customer = storage::Get<domain::Customer>(memory_, conversation.customer_id)->value();
  EXPECT_EQ(customer.identities.at(0).handle, "@u1");
  EXPECT_EQ(customer.identities.at(0).followers, 120);
}

TEST_F(EngineTest, ATriagedMessagePrioritisesAndExplainsItsConversation) {
  auto triager = triage::Triager::Create(triage::TriageConfig{}, clock_);
  ASSERT_TRUE(triager.ok()) << triager.error().ToString();
  const auto triaged = [&](IngestCommand command) {
    const auto& inbound = std::get<domain::InboundMessage>(command.event);
    command.triage = std::make_shared<const triage::TriageResult>(
        (*triager)->Triage(triage::InputFor(inbound.message)));
    return command;
  };
  auto outcomes =
      Run({triaged(Tweet(x_, "t1", "u1", "thanks for the lovely flowers!")),
           triaged(Tweet(x_, "t2", "u1",
                         "@acme my refund still hasn't arrived, this is unacceptable"))});
  ASSERT_EQ(outcomes.size(), 2u);
  const auto conversation = ConversationOf(outcomes[1]);
  EXPECT_EQ(conversation.tier, domain::Tier::kTier1);
  EXPECT_GE(conversation.priority, 50);
  EXPECT_THAT(conversation.tags, ::testing::Contains("refund"));
  EXPECT_THAT(conversation.priority_reasons, ::testing::Contains("dissatisfied"));
  EXPECT_EQ(conversation.category, "refunds");
  const auto message = storage::Get<domain::Message>(memory_, outcomes[1].message_id)->value();
  EXPECT_EQ(message.language, "en");
  EXPECT_THAT(message.tags, ::testing::Contains("refund"));
}

TEST_F(EngineTest, TheSameCustomerWritingAgainJoinsTheOpenConversation) {
  auto outcomes = Run({Tweet(x_, "t1", "u1", "hello"), Tweet(x_, "t2", "u1", "anyone there?"),
                       Tweet(x_, "t3", "u2", "different person")});
  EXPECT_EQ(outcomes[0].conversation_id, outcomes[1].conversation_id);
  EXPECT_FALSE(outcomes[1].new_conversation);
  EXPECT_NE(outcomes[0].conversation_id, outcomes[2].conversation_id);
  // And in a later call, from the store rather than the batch.
  auto later = Run({Tweet(x_, "t4", "u1", "still waiting")});
  EXPECT_EQ(later[0].conversation_id, outcomes[0].conversation_id);
  EXPECT_EQ(ConversationOf(later[0]).message_count, 3);
}

TEST_F(EngineTest, DuplicatesChangeNothing) {
  auto first = Run({Tweet(x_, "t1", "u1", "hello"), Tweet(x_, "t1", "u1", "hello")});
  EXPECT_EQ(first[1].kind, OutcomeKind::kDuplicate);
  EXPECT_EQ(first[1].message_id, first[0].message_id);
  auto again = Run({Tweet(x_, "t1", "u1", "hello")});
  EXPECT_EQ(again[0].kind, OutcomeKind::kDuplicate);
  EXPECT_EQ(ConversationOf(first[0]).message_count, 1);
  EXPECT_EQ(*store_.CountDocuments(storage::EntityKind::kMessage, workspace_.id), 1);
  // The same platform id on another account is another message.
  auto other = Run({Tweet(facebook_, "t1", "u1", "hello")});
  EXPECT_EQ(other[0].kind, OutcomeKind::kCreated);
}

TEST_F(EngineTest, RepliesJoinTheConversationOfTheirParent) {
  auto first = Run({Tweet(x_, "t1", "u1", "broken app")});
  auto reply = Run({Tweet(x_, "t2", "u9", "same here!", "t1")});
  EXPECT_EQ(reply[0].conversation_id, first[0].conversation_id);
}

TEST_F(EngineTest, AReplyThatArrivesBeforeItsParentStillMakesOneThread) {
  // Different authors, so only the reply link can join them.
  auto reply = Run({Tweet(x_, "t2", "u2", "same problem here", "t1")});
  auto parent = Run({Tweet(x_, "t1", "u1", "the app is down")});
  EXPECT_EQ(parent[0].conversation_id, reply[0].conversation_id);
  EXPECT_FALSE(parent[0].new_conversation);
  // And within one batch, in either order.
  auto batch = Run({Tweet(x_, "t4", "u4", "me too", "t3"), Tweet(x_, "t3", "u3", "outage?")});
  EXPECT_EQ(batch[0].conversation_id, batch[1].conversation_id);
}

TEST_F(EngineTest, LinkedIdentitiesMakeOneThreadAcrossChannels) {
  domain::Customer jane;
  jane.id = domain::CustomerId(500);
  jane.workspace_id = workspace_.id;
  jane.identities = {{ChannelKind::kX, "u1", "@jane", "Jane", 0, false},
                     {ChannelKind::kFacebook, "psid-1", "", "Jane", 0, false}};
  ASSERT_TRUE(store_.Apply(storage::WriteBatch().Put(jane)).ok());
  auto mention = Run({Tweet(x_, "t1", "u1", "order missing")});
  auto dm = Run({Tweet(facebook_, "m1", "psid-1", "here is my order number")});
  EXPECT_EQ(dm[0].conversation_id, mention[0].conversation_id);
  const auto conversation = ConversationOf(dm[0]);
  EXPECT_EQ(conversation.customer_id, jane.id);
  EXPECT_EQ(conversation.channels, (std::vector{ChannelKind::kX, ChannelKind::kFacebook}));
}

TEST_F(EngineTest, AResolvedConversationReopensAndAClosedOneDoesNot) {
  auto first = Run({Tweet(x_, "t1", "u1", "help")});
  auto conversation = ConversationOf(first[0]);
  ASSERT_TRUE(
      domain::MoveConversation(conversation, ConversationStatus::kResolved, clock_.Now()).ok());
  ASSERT_TRUE(store_.Apply(storage::WriteBatch().Put(conversation)).ok());
  engine_ = std::make_unique<Engine>(workspace_, store_, clock_, ids_);  // forget the cache

  auto reply = Run({Tweet(x_, "t2", "u1", "it broke again", "t1")});
  EXPECT_EQ(reply[0].conversation_id, first[0].conversation_id);
  EXPECT_EQ(ConversationOf(reply[0]).status, ConversationStatus::kQueued);

  conversation = ConversationOf(reply[0]);
  ASSERT_TRUE(
      domain::MoveConversation(conversation, ConversationStatus::kClosed, clock_.Now()).ok());
  ASSERT_TRUE(store_.Apply(storage::WriteBatch().Put(conversation)).ok());
  engine_ = std::make_unique<Engine>(workspace_, store_, clock_, ids_);
  auto after_close = Run({Tweet(x_, "t3", "u1", "hello?", "t2")});
  EXPECT_NE(after_close[0].conversation_id, first[0].conversation_id);
  EXPECT_TRUE(after_close[0].new_conversation);
}

TEST_F(EngineTest, TheBrandsOwnMessagesJoinTheConversationTheyAnswer) {
  auto mention = Run({Tweet(x_, "t1", "u1", "where is my bag?")});
  auto conversation = ConversationOf(mention[0]);
  ASSERT_TRUE(domain::MoveConversation(conversation, ConversationStatus::kAssigned, clock_.Now(),
                                       domain::AgentId(3))
                  .ok());
  ASSERT_TRUE(store_.Apply(storage::WriteBatch().Put(conversation)).ok());
  engine_ = std::make_unique<Engine>(workspace_, store_, clock_, ids_);

  auto reply = Tweet(x_, "t2", "brand", "^JD we are on it", "t1");
  std::get<domain::InboundMessage>(reply.event).message.direction = domain::Direction::kOutbound;
  auto dm = Tweet(x_, "d1", "brand", "please send your booking ref");
  auto& dm_message = std::get<domain::InboundMessage>(dm.event).message;
  dm_message.direction = domain::Direction::kOutbound;
  dm_message.kind = domain::MessageKind::kDirectMessage;
  dm_message.recipient_platform_user_id = "u1";
  auto broadcast = Tweet(x_, "p1", "brand", "Flights resume at 6pm");
  std::get<domain::InboundMessage>(broadcast.event).message.direction =
      domain::Direction::kOutbound;

  auto outcomes = Run({reply, dm, broadcast});
  EXPECT_EQ(outcomes[0].conversation_id, mention[0].conversation_id);
  EXPECT_EQ(outcomes[1].conversation_id, mention[0].conversation_id);
  EXPECT_FALSE(outcomes[2].conversation_id.valid());  // a brand post answers nobody
  const auto after = ConversationOf(mention[0]);
  EXPECT_EQ(after.status, ConversationStatus::kWaitingOnCustomer);
  EXPECT_EQ(after.message_count, 3);
  EXPECT_TRUE(after.first_response_at);
  // The brand never became a customer.
  EXPECT_EQ(*store_.CountDocuments(storage::EntityKind::kCustomer, workspace_.id), 1);
  const auto echo = storage::Get<domain::Message>(memory_, outcomes[0].message_id)->value();
  EXPECT_EQ(echo.delivery, domain::DeliveryStatus::kSent);
}

TEST_F(EngineTest, EditsDeletionsAndReceiptsUpdateWhatWeHold) {
  auto first = Run({Tweet(x_, "t1", "u1", "typo")});
  const auto t = clock_.Now();
  auto updates = Run({
      IngestCommand{domain::InboundEdit{"t1", "fixed", t}, x_, {}},
      IngestCommand{domain::InboundDeletion{"t1", t}, x_, {}},
      IngestCommand{domain::InboundDeletion{"t1", t}, x_, {}},
      IngestCommand{domain::InboundDeletion{"never-seen", t}, x_, {}},
      IngestCommand{domain::InboundVisibilityChange{"t1", true}, x_, {}},
  });
  EXPECT_EQ(updates[0].kind, OutcomeKind::kUpdated);
  EXPECT_EQ(updates[2].kind, OutcomeKind::kDuplicate);
  EXPECT_EQ(updates[3].kind, OutcomeKind::kUnknownTarget);
  const auto message = storage::Get<domain::Message>(memory_, first[0].message_id)->value();
  EXPECT_EQ(message.text, "fixed");
  EXPECT_TRUE(message.deleted_at);
  EXPECT_TRUE(message.hidden);
}

TEST_F(EngineTest, AnEditIsMaskedAgainForItsPersonalData) {
  auto first = Run({Tweet(x_, "t2", "u1", "charged twice")});
  Run({IngestCommand{
      domain::InboundEdit{"t2", "charged twice, card 4111 1111 1111 1111", clock_.Now()}, x_, {}}});
  auto message = storage::Get<domain::Message>(memory_, first[0].message_id)->value();
  EXPECT_EQ(message.personal_data, std::vector<std::string>{"card"});
  EXPECT_EQ(message.redacted_text, "charged twice, card [card]");
  clock_.Advance(std::chrono::seconds(1));
  Run({IngestCommand{domain::InboundEdit{"t2", "charged twice", clock_.Now()}, x_, {}}});
  message = storage::Get<domain::Message>(memory_, first[0].message_id)->value();
  EXPECT_TRUE(message.personal_data.empty());
  EXPECT_TRUE(message.redacted_text.empty());
}

TEST_F(EngineTest, InteractionsAreRecordedNotConversations) {
  domain::Interaction like;
  like.kind = domain::InteractionKind::kLike;
  like.actor.platform_user_id = "u1";
  like.target_platform_id = "brand-post-1";
  auto outcomes = Run({IngestCommand{domain::InboundInteraction{like}, x_, {}}});
  EXPECT_EQ(outcomes[0].kind, OutcomeKind::kRecorded);
  EXPECT_EQ(*store_.CountDocuments(storage::EntityKind::kInteraction, workspace_.id), 1);
  EXPECT_EQ(*store_.CountDocuments(storage::EntityKind::kConversation, workspace_.id), 0);
}

TEST_F(EngineTest, AFailedWriteLeavesNoTraceAndTheRetrySucceeds) {
  Run({Tweet(x_, "t1", "u1", "first")});
  store_.FailNextApplies(1);
  std::vector<Command> commands{Tweet(x_, "t2", "u1", "second"), Tweet(x_, "t3", "u2", "third")};
  auto failed = engine_->Process(commands);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(*store_.CountDocuments(storage::EntityKind::kMessage, workspace_.id), 1);

  std::vector<Command> retry{Tweet(x_, "t2", "u1", "second"), Tweet(x_, "t3", "u2", "third")};
  auto outcomes = engine_->Process(retry);
  ASSERT_TRUE(outcomes.ok());
  EXPECT_EQ((*outcomes)[0].kind, OutcomeKind::kCreated);
  EXPECT_EQ(ConversationOf((*outcomes)[0]).message_count, 2);
  EXPECT_EQ(*store_.CountDocuments(storage::EntityKind::kCustomer, workspace_.id), 2);
}

// The outbox's reports for a reply to tweet t1.
class OutboundTest : public EngineTest {
 protected:
  domain::OutboxItem ReplyItem(std::string text = "So sorry, we're on it") {
    domain::OutboxItem item;
    item.id = domain::OutboxId(5);
    item.workspace_id = workspace_.id;
    item.channel_account_id = x_.id;
    item.message_id = domain::MessageId(900);
    item.agent_id = domain::AgentId(7);
    item.action.kind = domain::OutboundKind::kReply;
    item.action.target_platform_id = "t1";
    item.action.text = std::move(text);
    item.created_at = clock_.Now();
    item.state = domain::OutboxState::kSending;
    item.attempts = 1;
    return item;
  }
  OutboundCommand Report(domain::OutboxItem item) { return OutboundCommand{std::move(item), x_}; }
  domain::Message Reply() {
    return storage::Get<domain::Message>(memory_, domain::MessageId(900))->value();
  }
  // The brand's own tweet answering t1, as the platform shows it.
  IngestCommand Echo(std::string id, std::string text) {
    auto echo = Tweet(x_, std::move(id), "brand", std::move(text), "t1");
    std::get<domain::InboundMessage>(echo.event).message.direction = domain::Direction::kOutbound;
    return echo;
  }
};

TEST_F(OutboundTest, AReplyIsQueuedThenSentAndCountsAsTheResponse) {
  auto mention = Run({Tweet(x_, "t1", "u1", "my order is late")});
  auto queued = Run({Report(ReplyItem())});
  EXPECT_EQ(queued[0].kind, OutcomeKind::kUpdated);
  EXPECT_EQ(queued[0].conversation_id, mention[0].conversation_id);
  EXPECT_EQ(Reply().delivery, domain::DeliveryStatus::kQueued);
  EXPECT_EQ(Reply().direction, domain::Direction::kOutbound);
  EXPECT_EQ(Reply().agent_id, domain::AgentId(7));
  EXPECT_EQ(ConversationOf(mention[0]).message_count, 1);  // not on the platform yet
  EXPECT_FALSE(ConversationOf(mention[0]).first_response_at.has_value());

  clock_.Advance(std::chrono::seconds(3));
  auto item = ReplyItem();
  item.state = domain::OutboxState::kSent;
  item.platform_id = "r1";
  item.finished_at = clock_.Now();
  Run({Report(item)});
  EXPECT_EQ(Reply().delivery, domain::DeliveryStatus::kSent);
  EXPECT_EQ(Reply().platform_message_id, "r1");
  EXPECT_EQ(ConversationOf(mention[0]).message_count, 2);
  EXPECT_EQ(ConversationOf(mention[0]).first_response_at, clock_.Now());
  // The platform's echo of it is the same message.
  EXPECT_EQ(Run({Echo("r1", "So sorry, we're on it")})[0].kind, OutcomeKind::kDuplicate);
  EXPECT_EQ(*store_.CountDocuments(storage::EntityKind::kMessage, workspace_.id), 2);
}

TEST_F(OutboundTest, AFailureKeepsThePlatformsReasonOnTheMessage) {
  Run({Tweet(x_, "t1", "u1", "my order is late")});
  auto item = ReplyItem();
  Run({Report(item)});
  item.state = domain::OutboxState::kFailed;
  item.error_code = "token_expired";
  item.error = "X refused the access token";
  Run({Report(item)});
  EXPECT_EQ(Reply().delivery, domain::DeliveryStatus::kFailed);
  EXPECT_EQ(Reply().delivery_error, "token_expired: X refused the access token");
}

TEST_F(OutboundTest, AnUnconfirmedReplyIsSettledByItsEcho) {
  std::vector<std::pair<domain::OutboxId, std::string>> confirmed;
  engine_->SetOutboxConfirmer([&](domain::OutboxId id, const std::string& platform_id) {
    confirmed.emplace_back(id, platform_id);
  });
  auto mention = Run({Tweet(x_, "t1", "u1", "my order is late")});
  auto item = ReplyItem();
  Run({Report(item)});
  item.state = domain::OutboxState::kUnconfirmed;  // the server restarted mid-request
  item.error_code = "unconfirmed";
  Run({Report(item)});
  EXPECT_EQ(Reply().delivery, domain::DeliveryStatus::kUnconfirmed);

  auto echo = Run({Echo("r1", "So sorry, we're on it ")});
  EXPECT_EQ(echo[0].message_id, domain::MessageId(900));
  EXPECT_EQ(Reply().delivery, domain::DeliveryStatus::kSent);
  EXPECT_EQ(Reply().platform_message_id, "r1");
  EXPECT_TRUE(Reply().delivery_error.empty());
  EXPECT_EQ(ConversationOf(mention[0]).message_count, 2);
  EXPECT_EQ(*store_.CountDocuments(storage::EntityKind::kMessage, workspace_.id), 2);
  // The outbox is told, so nobody sends it again.
  ASSERT_EQ(confirmed.size(), 1u);
  EXPECT_EQ(confirmed[0].first, domain::OutboxId(5));
  EXPECT_EQ(confirmed[0].second, "r1");
}

TEST_F(OutboundTest, ATaggedEchoOrStatusNamesItsOutboxItem) {
  std::vector<domain::OutboxId> confirmed;
  engine_->SetOutboxConfirmer(
      [&](domain::OutboxId id, const std::string&) { confirmed.push_back(id); });
  Run({Tweet(x_, "t1", "u1", "my order is late")});
  auto item = ReplyItem("Here is your refund link");
  item.state = domain::OutboxState::kUnconfirmed;
  Run({Report(item)});
  // Messenger's echo carries the item's metadata: matched even though the text differs.
  auto echo = Echo("m_1", "Here is your refund link https://l.facebook.com/x");
  std::get<domain::InboundMessage>(echo.event).outbox_id = item.id;
  EXPECT_EQ(Run({echo})[0].message_id, domain::MessageId(900));
  EXPECT_EQ(Reply().platform_message_id, "m_1");

  // WhatsApp's status names the item through biz_opaque_callback_data.
  auto other = ReplyItem("Your parcel ships today");
  other.id = domain::OutboxId(6);
  other.message_id = domain::MessageId(901);
  other.state = domain::OutboxState::kUnconfirmed;
  Run({Report(other)});
  domain::InboundDeliveryUpdate status("wamid.9", domain::DeliveryStatus::kDelivered, "",
                                       clock_.Now(), other.id);
  auto delivered = Run({IngestCommand{status, x_, domain::RawPayloadId(2)}});
  EXPECT_EQ(delivered[0].message_id, domain::MessageId(901));
  auto message = storage::Get<domain::Message>(memory_, domain::MessageId(901))->value();
  EXPECT_EQ(message.delivery, domain::DeliveryStatus::kDelivered);
  EXPECT_EQ(message.platform_message_id, "wamid.9");
  EXPECT_EQ(confirmed, (std::vector{domain::OutboxId(5), domain::OutboxId(6)}));
  // An unknown reference is just an unknown target.
  domain::InboundDeliveryUpdate stray("wamid.10", domain::DeliveryStatus::kRead, "", clock_.Now(),
                                      domain::OutboxId(77));
  EXPECT_EQ(Run({IngestCommand{stray, x_, domain::RawPayloadId(3)}})[0].kind,
            OutcomeKind::kUnknownTarget);
}

TEST_F(OutboundTest, AReplyWaitingOutABackoffIsNotTakenForANativeReply) {
  Run({Tweet(x_, "t1", "u1", "my order is late")});
  auto item = ReplyItem("Thanks!");
  Run({Report(item)});
  item.state = domain::OutboxState::kQueued;  // rate limited: not made yet
  item.error_code = "rate_limited";
  Run({Report(item)});
  // Someone at the brand answers "Thanks!" natively in the meantime: a message of its own.
  EXPECT_EQ(Run({Echo("native1", "Thanks!")})[0].kind, OutcomeKind::kCreated);
  EXPECT_EQ(Reply().delivery, domain::DeliveryStatus::kQueued);
  EXPECT_TRUE(Reply().platform_message_id.empty());
}

TEST_F(OutboundTest, AnEchoBeforeTheSendReportMakesNoSecondMessage) {
  auto mention = Run({Tweet(x_, "t1", "u1", "my order is late")});
  auto item = ReplyItem();
  Run({Report(item)});
  Run({Echo("r1", "So sorry, we're on it")});  // the webhook beat the API's answer
  item.state = domain::OutboxState::kSent;
  item.platform_id = "r1";
  Run({Report(item)});
  EXPECT_EQ(Reply().platform_message_id, "r1");
  EXPECT_EQ(Reply().delivery, domain::DeliveryStatus::kSent);
  EXPECT_EQ(ConversationOf(mention[0]).message_count, 2);
  EXPECT_EQ(*store_.CountDocuments(storage::EntityKind::kMessage, workspace_.id), 2);

  // An echo that could not be matched (the platform rewrote the text) merges when the report
  // names its id.
  auto other = ReplyItem("Check your DMs");
  other.message_id = domain::MessageId(901);
  Run({Report(other)});
  Run({Echo("r2", "Check your DMs https://t.co/x")});
  other.state = domain::OutboxState::kSent;
  other.platform_id = "r2";
  auto merged = Run({Report(other)});
  EXPECT_EQ(merged[0].kind, OutcomeKind::kDuplicate);
  EXPECT_FALSE(storage::Get<domain::Message>(memory_, domain::MessageId(901))->has_value());
  EXPECT_EQ(*store_.CountDocuments(storage::EntityKind::kMessage, workspace_.id), 3);
}

TEST_F(OutboundTest, ModerationThatWentThroughUpdatesTheMessage) {
  Run({Tweet(x_, "t1", "u1", "spam spam")});
  domain::OutboxItem hide;
  hide.id = domain::OutboxId(6);
  hide.channel_account_id = x_.id;
  hide.action.kind = domain::OutboundKind::kHide;
  hide.action.target_platform_id = "t1";
  hide.state = domain::OutboxState::kFailed;
  EXPECT_EQ(Run({Report(hide)})[0].kind, OutcomeKind::kRecorded);
  hide.state = domain::OutboxState::kSent;
  EXPECT_EQ(Run({Report(hide)})[0].kind, OutcomeKind::kUpdated);
  auto ref = memory_.FindMessageByPlatformId(x_.id, "t1")->value();
  EXPECT_TRUE(storage::Get<domain::Message>(memory_, ref.id)->value().hidden);
  hide.action.target_platform_id = "unknown";
  EXPECT_EQ(Run({Report(hide)})[0].kind, OutcomeKind::kUnknownTarget);
}

TEST_F(EngineTest, TheThreadBatchesSubmissionsFromManyThreads) {
  EngineThread thread(std::make_unique<Engine>(workspace_, store_, clock_, ids_), 64);
  constexpr int kProducers = 4;
  constexpr int kEach = 100;
  std::atomic<int> created{0};
  std::vector<std::thread> producers;
  producers.reserve(kProducers);
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kEach; ++i) {
        std::promise<void> done;
        const std::string id = std::to_string(p) + "-" + std::to_string(i);
        std::vector<Command> commands{Tweet(x_, id, "user" + std::to_string(i % 7), "text")};
        thread.Submit(std::move(commands), [&](core::Result<std::vector<Outcome>> result) {
          if (result.ok() && result->at(0).kind == OutcomeKind::kCreated) created.fetch_add(1);
          done.set_value();
        });
        done.get_future().wait();
      }
    });
  }
  for (auto& producer : producers) producer.join();
  thread.Stop();
  EXPECT_EQ(created.load(), kProducers * kEach);
  EXPECT_EQ(*store_.CountDocuments(storage::EntityKind::kMessage, workspace_.id),
            kProducers * kEach);
  EXPECT_EQ(*store_.CountDocuments(storage::EntityKind::kCustomer, workspace_.id), 7);
  EXPECT_EQ(*store_.CountDocuments(storage::EntityKind::kConversation, workspace_.id), 7);

  std::promise<core::Status> refused;
  thread.Submit({}, [&](const core::Result<std::vector<Outcome>>& result) {
    refused.set_value(result.ok() ? core::Ok() : core::Status(result.error()));
  });
  EXPECT_EQ(refused.get_future().get().error().code, core::ErrorCode::kUnavailable);
}

// Distribution in the live engine (C3): the router decides, the conversation records it.
class RoutedEngineTest : public OutboundTest {
 protected:
  static constexpr domain::AgentId kAnn{7};
  static constexpr domain::AgentId kBob{8};

  RoutedEngineTest() {
    domain::Agent ann;
    ann.id = kAnn;
    ann.workspace_id = workspace_.id;
    ann.display_name = "Ann";
    ann.max_concurrent = 1;
    ann.presence = domain::Presence::kOnline;  // their chosen status: online when connected
    domain::Agent bob = ann;
    bob.id = kBob;
    bob.display_name = "Bob";
    domain::Team care;
    care.id = domain::TeamId(3);
    care.workspace_id = workspace_.id;
    care.name = "care";
    care.leader_id = kBob;
    care.member_ids = {kAnn, kBob};
    storage::WriteBatch batch;
    batch.Put(ann).Put(bob).Put(care);
    EXPECT_TRUE(memory_.Apply(batch).ok());
    Restart();
  }

  void Restart() { engine_ = std::make_unique<Engine>(workspace_, store_, clock_, ids_); }

  static RoutingCommand Act(RoutingCommand::Kind kind, domain::AgentId agent,
                            domain::ConversationId conversation = {}) {
    RoutingCommand command;
    command.kind = kind;
    command.agent = agent;
    command.conversation = conversation;
    return command;
  }
  Outcome Do(RoutingCommand command) { return Run({std::move(command)}).at(0); }
  domain::Conversation Stored(domain::ConversationId id) {
    return storage::Get<domain::Conversation>(memory_, id)->value();
  }
  using Kind = RoutingCommand::Kind;
};

TEST_F(RoutedEngineTest, CustomersAreLinkedAndUnlinkedByHand) {
  const auto first = Run({Tweet(x_, "t1", "u1", "my order is late")})[0].conversation_id;
  const auto second = Run({Tweet(x_, "t2", "u2", "order 42, late again")})[0].conversation_id;
  const domain::CustomerId jane = Stored(first).customer_id;
  const domain::CustomerId other = Stored(second).customer_id;
  ASSERT_NE(jane, other);

  auto link = Act(Kind::kLinkCustomers, {});
  link.customer = jane;
  link.other_customer = other;
  EXPECT_EQ(Do(link).kind, OutcomeKind::kRecorded);
  EXPECT_EQ(Stored(second).customer_id, jane);
  EXPECT_FALSE(storage::Get<domain::Customer>(memory_, other)->has_value());
  ASSERT_EQ(storage::Get<domain::Customer>(memory_, jane)->value().identities.size(), 2u);
  EXPECT_EQ(*memory_.FindCustomerByIdentity(workspace_.id, ChannelKind::kX, "u2"), jane);
  EXPECT_EQ(Do(link).refusal->code, core::ErrorCode::kNotFound);  // the other is gone
  // The next message from either identity is Jane's; after a restart too.
  EXPECT_EQ(Stored(Run({Tweet(x_, "t3", "u2", "hello?")})[0].conversation_id).customer_id, jane);
  Restart();
  EXPECT_EQ(Stored(Run({Tweet(x_, "t4", "u2", "still?")})[0].conversation_id).customer_id, jane);

  auto unlink = Act(Kind::kUnlinkIdentity, {});
  unlink.customer = jane;
  unlink.channel = ChannelKind::kX;
  unlink.platform_user_id = "u2";
  const Outcome split = Do(unlink);
  ASSERT_EQ(split.kind, OutcomeKind::kRecorded);
  ASSERT_TRUE(split.customer_id.valid());
  EXPECT_EQ(*memory_.FindCustomerByIdentity(workspace_.id, ChannelKind::kX, "u2"),
            split.customer_id);
  EXPECT_EQ(Stored(second).customer_id, jane);  // the history stays
  EXPECT_EQ(Stored(Run({Tweet(x_, "t5", "u2", "new topic")})[0].conversation_id).customer_id,
            split.customer_id);
  EXPECT_EQ(Do(unlink).refusal->code, core::ErrorCode::kNotFound);  // no longer Jane's
  unlink.platform_user_id = "u1";
  EXPECT_EQ(Do(unlink).refusal->code, core::ErrorCode::kFailedPrecondition);  // her only one
}

TEST_F(RoutedEngineTest, AMentionWaitsForAnAgentThenIsAssignedWithItsReasons) {
  const auto id = Run({Tweet(x_, "t1", "u1", "my order is late")})[0].conversation_id;
  EXPECT_EQ(Stored(id).status, ConversationStatus::kQueued);
  EXPECT_EQ(Stored(id).team_id, domain::TeamId(3));  // the workspace's first team
  EXPECT_TRUE(Stored(id).sla.first_response_due.has_value());
  engine_->TakeRoutingEvents();

  EXPECT_EQ(Do(Act(Kind::kConnected, kAnn)).kind, OutcomeKind::kRecorded);
  const auto stored = Stored(id);
  EXPECT_EQ(stored.status, ConversationStatus::kAssigned);
  EXPECT_EQ(stored.assignee_id, kAnn);
  EXPECT_THAT(stored.assignment_reason, ::testing::HasSubstr("load 0/1"));
  ASSERT_EQ(stored.passed_over.size(), 1u);
  EXPECT_EQ(stored.passed_over[0].agent, kBob);
  EXPECT_EQ(stored.passed_over[0].why_not, "offline");
  const auto events = engine_->TakeRoutingEvents();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [&](const routing::Event& e) {
    return e.kind == routing::EventKind::kAssigned && e.conversation == id && e.agent == kAnn;
  }));
}

TEST_F(RoutedEngineTest, OnlyTheAssigneeRepliesAndNotFromAStaleView) {
  Do(Act(Kind::kConnected, kAnn));
  const auto id = Run({Tweet(x_, "t1", "u1", "my order is late")})[0].conversation_id;
  const auto seen = Stored(id).version;

  auto bob = Act(Kind::kCheckReply, kBob, id);
  const auto refused = Do(bob);
  EXPECT_EQ(refused.kind, OutcomeKind::kRefused);
  EXPECT_EQ(refused.refusal->code, core::ErrorCode::kPermissionDenied);
  EXPECT_THAT(refused.refusal->message, ::testing::HasSubstr("assigned to Ann"));

  auto ann = Act(Kind::kCheckReply, kAnn, id);
  ann.seen_version = seen;
  EXPECT_EQ(Do(ann).kind, OutcomeKind::kRecorded);

  Run({Tweet(x_, "t2", "u1", "hello?", "t1")});  // the customer wrote meanwhile
  const auto stale = Do(ann);
  EXPECT_EQ(stale.kind, OutcomeKind::kRefused);
  EXPECT_EQ(stale.refusal->code, core::ErrorCode::kConflict);
  EXPECT_THAT(stale.refusal->message, ::testing::HasSubstr("the customer wrote"));
  ann.seen_version = Stored(id).version;
  EXPECT_EQ(Do(ann).kind, OutcomeKind::kRecorded);
}

TEST_F(RoutedEngineTest, ASentReplyStopsTheResponseClock) {
  Do(Act(Kind::kConnected, kAnn));
  const auto id = Run({Tweet(x_, "t1", "u1", "my order is late")})[0].conversation_id;
  auto item = ReplyItem();
  Run({Report(item)});
  EXPECT_TRUE(Stored(id).sla.first_response_due.has_value());  // not on the platform yet
  item.state = domain::OutboxState::kSent;
  item.platform_id = "r1";
  Run({Report(item)});
  const auto stored = Stored(id);
  EXPECT_EQ(stored.status, ConversationStatus::kWaitingOnCustomer);
  EXPECT_EQ(stored.assignee_id, kAnn);
  EXPECT_FALSE(stored.sla.first_response_due.has_value());
  const auto events = engine_->TakeRoutingEvents();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const routing::Event& e) {
    return e.kind == routing::EventKind::kSlaStopped && e.reason == "met";
  }));
}

TEST_F(RoutedEngineTest, AfterARestartAssigneesKeepTheirWorkForTheGraceOnly) {
  Do(Act(Kind::kConnected, kAnn));
  const auto id = Run({Tweet(x_, "t1", "u1", "my order is late")})[0].conversation_id;
  ASSERT_EQ(Stored(id).assignee_id, kAnn);

  Restart();  // Ann's browser has not reconnected yet
  Do(Act(Kind::kTick, {}));
  EXPECT_EQ(Stored(id).assignee_id, kAnn);
  EXPECT_EQ(engine_->router()->FindAgent(kAnn)->load, 1);
  clock_.Advance(std::chrono::seconds(61));
  Do(Act(Kind::kTick, {}));
  EXPECT_EQ(Stored(id).status, ConversationStatus::kQueued);
  EXPECT_FALSE(Stored(id).assignee_id.valid());
  EXPECT_EQ(Stored(id).last_assignee_id, kAnn);

  // A chosen status outlives a restart.
  auto away = Act(Kind::kSetStatus, kAnn);
  away.presence = domain::Presence::kAway;
  Do(away);
  Restart();
  Do(Act(Kind::kTick, {}));
  EXPECT_EQ(engine_->router()->FindAgent(kAnn)->status, domain::Presence::kAway);
}

TEST_F(RoutedEngineTest, ARestartGivesBackEveryonesWorkBeforeOfferingTheQueue) {
  Do(Act(Kind::kConnected, kAnn));
  const auto held = Run({Tweet(x_, "t1", "u1", "my order is late")})[0].conversation_id;
  const auto waiting = Run({Tweet(x_, "t2", "u2", "urgent!")})[0].conversation_id;
  ASSERT_EQ(Stored(held).assignee_id, kAnn);
  ASSERT_EQ(Stored(waiting).status, ConversationStatus::kQueued);  // Ann is at her cap of 1
  // The queued one ranks first in the store's order.
  auto urgent = Stored(waiting);
  urgent.priority = 90;
  storage::WriteBatch batch;
  batch.Put(urgent);
  ASSERT_TRUE(memory_.Apply(batch).ok());

  Restart();
  Do(Act(Kind::kTick, {}));
  EXPECT_EQ(Stored(held).assignee_id, kAnn);
  EXPECT_EQ(Stored(waiting).status, ConversationStatus::kQueued);
  // Restored where it stood: not announced (nor written) again.
  const auto events = engine_->TakeRoutingEvents();
  EXPECT_FALSE(std::any_of(events.begin(), events.end(), [&](const routing::Event& e) {
    return e.kind == routing::EventKind::kQueued && e.conversation == waiting;
  }));
  EXPECT_EQ(engine_->router()->FindAgent(kAnn)->load, 1);
  EXPECT_TRUE(engine_->router()->CheckInvariants().ok());
  // Bob comes online: the queue is offered to him at once.
  Do(Act(Kind::kConnected, kBob));
  EXPECT_EQ(Stored(waiting).assignee_id, kBob);
}

TEST_F(RoutedEngineTest, AFailedWriteRebuildsTheRouterAndKeepsWhoIsConnected) {
  Do(Act(Kind::kConnected, kAnn));
  engine_->TakeRoutingEvents();
  store_.FailNextApplies(1);
  std::vector<Command> commands{Tweet(x_, "t1", "u1", "my order is late")};
  EXPECT_FALSE(engine_->Process(commands).ok());
  EXPECT_TRUE(engine_->TakeRoutingEvents().empty());  // nothing happened
  const auto id = Run({Tweet(x_, "t1", "u1", "my order is late")})[0].conversation_id;
  EXPECT_EQ(Stored(id).assignee_id, kAnn);
  EXPECT_TRUE(engine_->router()->CheckInvariants().ok());
}

TEST_F(RoutedEngineTest, ResolvingFreesThePlaceForTheNextInLine) {
  Do(Act(Kind::kConnected, kAnn));
  const auto first = Run({Tweet(x_, "t1", "u1", "my order is late")})[0].conversation_id;
  const auto second = Run({Tweet(x_, "t2", "u2", "where is my refund")})[0].conversation_id;
  EXPECT_EQ(Stored(second).status, ConversationStatus::kQueued);  // Ann is at her cap

  auto resolve = Act(Kind::kResolve, {}, first);
  resolve.note = "delivered";
  EXPECT_EQ(Do(resolve).kind, OutcomeKind::kRecorded);
  EXPECT_EQ(Stored(first).status, ConversationStatus::kResolved);
  EXPECT_EQ(Stored(first).resolution_code, "delivered");
  EXPECT_EQ(Stored(second).assignee_id, kAnn);
  EXPECT_EQ(Do(resolve).kind, OutcomeKind::kRefused);  // already resolved

  // Tags change on a resolved conversation too, and are not a change a reply must have seen.
  const auto version = Stored(first).version;
  auto tag = Act(Kind::kTag, {}, first);
  tag.add_tags = {"vip", "late", "vip"};
  EXPECT_EQ(Do(tag).kind, OutcomeKind::kRecorded);
  tag.add_tags = {"refund"};
  tag.remove_tags = {"late", "never-there"};
  EXPECT_EQ(Do(tag).kind, OutcomeKind::kRecorded);
  const std::vector<std::string> tags = Stored(first).tags;
  EXPECT_THAT(tags, ::testing::IsSupersetOf({"vip", "refund"}));
  EXPECT_THAT(tags, ::testing::Not(::testing::Contains("late")));
  EXPECT_EQ(std::count(tags.begin(), tags.end(), "vip"), 1);
  EXPECT_EQ(Stored(first).version, version);
  EXPECT_EQ(Do(Act(Kind::kTag, {}, domain::ConversationId(42))).refusal->code,
            core::ErrorCode::kNotFound);

  // Taking over goes above a cap; pulling does not.
  EXPECT_EQ(Do(Act(Kind::kPull, kAnn)).refusal->code, core::ErrorCode::kNotFound);
  const auto third = Run({Tweet(x_, "t3", "u3", "parcel lost")})[0].conversation_id;
  auto take = Act(Kind::kAssign, kAnn, third);
  take.note = "taken over by Ann";
  EXPECT_EQ(Do(take).kind, OutcomeKind::kRecorded);
  EXPECT_EQ(Stored(third).assignee_id, kAnn);
  EXPECT_EQ(Stored(third).assignment_reason, "taken over by Ann");
  ASSERT_EQ(Stored(third).assignments.size(), 1u);
  EXPECT_EQ(Stored(third).assignments[0].agent, kAnn);
  EXPECT_EQ(Stored(second).assignments.at(0).reason, Stored(second).assignment_reason);
}

TEST_F(RoutedEngineTest, CapsHoldUnderConcurrentSubmissions) {
  EngineThread thread(std::move(engine_), 64);
  constexpr int kProducers = 4;
  constexpr int kEach = 150;
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kEach; ++i) {
        std::vector<Command> commands;
        const domain::AgentId agent = (i + p) % 2 == 0 ? kAnn : kBob;
        switch ((i * 7 + p) % 6) {
          case 0:
            commands.emplace_back(Act(Kind::kConnected, agent));
            break;
          case 1:
            commands.emplace_back(Act(Kind::kDisconnected, agent));
            break;
          case 2:
            commands.emplace_back(Act(Kind::kPull, agent));
            break;
          default:
            commands.emplace_back(Tweet(x_, std::to_string(p) + "-" + std::to_string(i),
                                        "user" + std::to_string((i * 13 + p) % 40), "help"));
        }
        std::promise<void> done;
        thread.Submit(std::move(commands), [&](auto) { done.set_value(); });
        done.get_future().wait();
        if (i % 25 == 0) clock_.Advance(std::chrono::seconds(30));  // graces end meanwhile
      }
    });
  }
  for (auto& producer : producers) producer.join();
  thread.Stop();
  // Nothing was taken over: no agent holds more than their cap of conversations owing an answer
  // or waiting on the customer.
  storage::ConversationQuery query;
  query.workspace_id = workspace_.id;
  query.limit = 500;
  const auto page = store_.QueryConversations(query);
  ASSERT_TRUE(page.ok());
  std::map<domain::AgentId, int> held;
  int assigned = 0;
  for (const auto& document : page->documents) {
    const auto c = domain::DecodeJson<domain::Conversation>(document).value();
    if (c.assignee_id) {
      ++held[c.assignee_id];
      ++assigned;
    }
  }
  EXPECT_GT(assigned, 0);
  EXPECT_LE(held[kAnn], 1);
  EXPECT_LE(held[kBob], 1);
}

TEST_F(RoutedEngineTest, TheEngineThreadFiresTimersByItself) {
  std::mutex mutex;
  std::vector<routing::Event> seen;
  EngineThread thread(std::move(engine_), 64,
                      [&](const domain::Workspace&, const std::vector<Outcome>&,
                          const std::vector<routing::Event>& events) {
                        std::lock_guard lock(mutex);
                        seen.insert(seen.end(), events.begin(), events.end());
                      });
  auto submit = [&](RoutingCommand command) {
    std::promise<void> done;
    thread.Submit({std::move(command)}, [&](auto) { done.set_value(); });
    done.get_future().wait();
  };
  submit(Act(Kind::kConnected, kAnn));
  submit(Act(Kind::kDisconnected, kAnn));
  clock_.Advance(std::chrono::seconds(61));  // the grace ends: no command needed
  bool offline = false;
  for (int i = 0; i < 100 && !offline; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::lock_guard lock(mutex);
    offline = std::any_of(seen.begin(), seen.end(), [](const routing::Event& e) {
      return e.kind == routing::EventKind::kPresence && e.presence == domain::Presence::kOffline;
    });
  }
  thread.Stop();
  EXPECT_TRUE(offline);
}

}  // namespace
}  // namespace parley::engine
