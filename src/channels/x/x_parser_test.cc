#include "parley/channels/x/x_parser.h"

#include <gtest/gtest.h>

#include "parley/channels/describe.h"

namespace parley::channels::x {
namespace {

class XParserTest : public ::testing::Test {
 protected:
  XParserTest() { account_.platform_account_id = "100"; }

  std::vector<std::string> Parse(std::string_view body) {
    auto events = XParser().Parse({body, "{}", account_, core::FromMillis(0)});
    if (!events.ok()) return {"error: " + events.error().message};
    std::vector<std::string> out;
    for (const auto& event : *events) out.push_back(Describe(event));
    return out;
  }

  const domain::Message& FirstMessage(std::string_view body) {
    auto events = XParser().Parse({body, "{}", account_, core::FromMillis(0)});
    EXPECT_TRUE(events.ok());
    kept_ = std::move(events).value();
    return std::get<domain::InboundMessage>(kept_.at(0)).message;
  }

  domain::ChannelAccount account_;
  std::vector<domain::InboundEvent> kept_;
};

constexpr const char* kReply = R"({"for_user_id": "100", "tweet_create_events": [{
  "id_str": "555", "created_at": "Wed Oct 10 20:19:24 +0000 2018", "text": "@Acme my bag is…",
  "truncated": true, "extended_tweet": {"full_text": "@Acme my bag is lost, flight AC123"},
  "in_reply_to_status_id_str": "444", "lang": "en", "favorite_count": 2,
  "user": {"id_str": "7", "screen_name": "jane", "name": "Jane", "followers_count": 48000,
           "verified": true}}]})";

TEST_F(XParserTest, AccountActivityTweetsUseTheFullText) {
  const auto& m = FirstMessage(kReply);
  EXPECT_EQ(m.platform_message_id, "555");
  EXPECT_EQ(m.text, "@Acme my bag is lost, flight AC123");
  EXPECT_EQ(m.kind, domain::MessageKind::kReply);
  EXPECT_EQ(m.in_reply_to_platform_id, "444");
  EXPECT_EQ(m.direction, domain::Direction::kInbound);
  EXPECT_EQ(m.author.handle, "@jane");
  EXPECT_EQ(m.author.followers, 48000);
  EXPECT_TRUE(m.author.verified);
  EXPECT_EQ(m.metrics.likes, 2);
  EXPECT_EQ(core::FormatIso8601(m.published_at), "2018-10-10T20:19:24.000Z");
}

TEST_F(XParserTest, TheBrandsOwnTweetsAndRetweetsAreRecognised) {
  const auto& own = FirstMessage(R"({"for_user_id": "100", "tweet_create_events": [
    {"id_str": "1", "text": "^JD sorry!", "user": {"id_str": "100", "screen_name": "Acme"}}]})");
  EXPECT_EQ(own.direction, domain::Direction::kOutbound);
  const auto& retweet = FirstMessage(R"({"for_user_id": "100", "tweet_create_events": [
    {"id_str": "2", "text": "RT @Acme: news", "retweeted_status": {"id_str": "1"},
     "user": {"id_str": "8"}}]})");
  EXPECT_EQ(retweet.kind, domain::MessageKind::kRepost);
  EXPECT_EQ(retweet.quoted_platform_id, "1");
}

TEST_F(XParserTest, DirectMessagesTakeTheirAuthorFromTheDelivery) {
  const auto events = Parse(R"({"for_user_id": "100", "direct_message_events": [
    {"type": "message_create", "id": "9001", "created_timestamp": "1516403560557",
     "message_create": {"target": {"recipient_id": "100"}, "sender_id": "7",
                        "message_data": {"text": "order 42"}}},
    {"type": "message_create", "id": "9002", "created_timestamp": "1516403560999",
     "message_create": {"target": {"recipient_id": "7"}, "sender_id": "100",
                        "message_data": {"text": "thanks, looking"}}}],
    "users": {"7": {"id": "7", "screen_name": "jane", "followers_count": 3}}})");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0],
            "message 9001 direct_message private inbound author=7(@jane,3) reply_to=- quote=- "
            "thread=- at=2018-01-19T23:12:40.557Z media=0 text=\"order 42\"");
  EXPECT_NE(events[1].find("direct_message private outbound author=100"), std::string::npos);
}

TEST_F(XParserTest, InteractionsDeletesAndReceipts) {
  EXPECT_EQ(Parse(R"({"for_user_id": "100", "favorite_events": [{"id": "f", "timestamp_ms": 1,
      "favorited_status": {"id_str": "1", "user": {"id_str": "100"}},
      "user": {"id_str": "7", "screen_name": "jane"}}]})"),
            std::vector<std::string>{"interaction like actor=7(@jane) target=1"});
  EXPECT_EQ(Parse(R"({"for_user_id": "100", "follow_events": [{"type": "follow",
      "created_timestamp": "1", "target": {"id": "100"}, "source": {"id": "7"}}]})"),
            std::vector<std::string>{"interaction follow actor=7(-) target=100"});
  EXPECT_EQ(Parse(R"({"for_user_id": "100", "tweet_delete_events": [
      {"status": {"id": "555", "user_id": "7"}, "timestamp_ms": "1"}]})"),
            std::vector<std::string>{"delete 555"});
  EXPECT_EQ(Parse(R"({"for_user_id": "100", "direct_message_mark_read_events": [
      {"created_timestamp": "1", "sender_id": "7", "target": {"recipient_id": "100"},
       "last_read_event_id": "9002"}]})"),
            std::vector<std::string>{"delivery 9002 read"});
  EXPECT_TRUE(
      Parse(R"({"for_user_id": "100", "direct_message_indicate_typing_events": []})").empty());
  EXPECT_EQ(Parse(R"({"for_user_id": "100", "mystery_events": []})"),
            std::vector<std::string>{
                "error: body: an Account Activity delivery with no event type Parley knows"});
}

TEST_F(XParserTest, ActivityApiPostsCarryTheirThread) {
  const auto& m = FirstMessage(R"({"data": {"event_type": "post.reply.create",
    "filter": {"user_id": "100"}, "payload": {"id": "20", "author_id": "7", "text": "still broken",
      "conversation_id": "10", "created_at": "2026-07-24T21:23:23.000Z",
      "referenced_tweets": [{"type": "replied_to", "id": "19"}],
      "public_metrics": {"like_count": 4, "impression_count": 90}},
    "includes": {"users": [{"id": "7", "username": "jane",
                            "public_metrics": {"followers_count": 12}}]}}})");
  EXPECT_EQ(m.kind, domain::MessageKind::kReply);
  EXPECT_EQ(m.in_reply_to_platform_id, "19");
  EXPECT_EQ(m.platform_thread_id, "10");
  EXPECT_EQ(m.author.followers, 12);
  EXPECT_EQ(m.metrics.views, 90);
  EXPECT_EQ(Parse(R"({"data": {"event_type": "spaces.start", "payload": {}}})").size(), 0u);
  EXPECT_EQ(Parse(R"({"data": {"event_type": "post.teleport", "payload": {}}})"),
            std::vector<std::string>{
                "error: data.event_type: unknown X Activity API event 'post.teleport'"});
}

TEST_F(XParserTest, V2ResponsesAndV1Arrays) {
  const auto events = Parse(R"({"data": [
      {"id": "1", "author_id": "7", "text": "a", "referenced_tweets": [{"type": "quoted", "id": "0"}]},
      {"id": "2", "author_id": "100", "text": "b"}],
    "includes": {"users": [{"id": "7", "username": "jane"}]}})");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(events[0].find("message 1 quote public inbound author=7(@jane,0) reply_to=- quote=0"),
            std::string::npos);
  EXPECT_NE(events[1].find("public outbound author=100"), std::string::npos);
  EXPECT_EQ(Parse(R"([{"id_str": "5", "text": "x", "user": {"id_str": "7"}}])").size(), 1u);
  EXPECT_EQ(Parse(R"({"data": {"id": "7", "username": "jane", "name": "Jane"}})"),
            std::vector<std::string>{"error: data: a user object, not posts or messages"});
  EXPECT_EQ(Parse(R"({"hello": 1})").at(0).substr(0, 28), "error: body: not an X payloa");
  EXPECT_EQ(Parse(R"({"for_user_id": "100", "tweet_create_events": [{"text": "no id"}]})"),
            std::vector<std::string>{
                "error: tweet_create_events[0]: a Tweet needs id_str and a user object"});
}

TEST(XWebhook, CrcAndSignatureFollowThePublishedRecipe) {
  // Expected values computed independently: printf '%s' MSG | openssl dgst -sha256 -hmac KEY
  // -binary | base64
  EXPECT_EQ(CrcResponseToken("consumer-secret", "challenge_string"),
            "sha256=S/mG8E9n5SjoGuCqHguvP8K8uuu5ogCPF0dOpIdyZlk=");
  EXPECT_TRUE(VerifySignature("consumer-secret", R"({"for_user_id":"1"})",
                              "sha256=Hlco0COzwYOsSzVcCoqAGpNZdK3BYQku/gWz9SSGVjA="));
  EXPECT_FALSE(VerifySignature("other-secret", R"({"for_user_id":"1"})",
                               "sha256=Hlco0COzwYOsSzVcCoqAGpNZdK3BYQku/gWz9SSGVjA="));
  EXPECT_FALSE(VerifySignature("consumer-secret", R"({"for_user_id":"2"})",
                               "sha256=Hlco0COzwYOsSzVcCoqAGpNZdK3BYQku/gWz9SSGVjA="));
  EXPECT_EQ(AddressedUserId(R"({"for_user_id": "4337869213", "x": 1})"), "4337869213");
  EXPECT_EQ(AddressedUserId(R"({"data": {"filter": {"user_id": "111"}}})"), "111");
  EXPECT_EQ(AddressedUserId("not json"), "");
}

}  // namespace
}  // namespace parley::channels::x
