#include "parley/channels/meta/meta_parser.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "parley/channels/describe.h"

namespace parley::channels::meta {
namespace {

std::vector<std::string> Parse(std::string_view body, std::string account_id = "") {
  domain::ChannelAccount account;
  account.platform_account_id = std::move(account_id);
  auto events = MetaParser().Parse({body, "{}", account, core::FromMillis(0)});
  if (!events.ok()) return {"error: " + events.error().message};
  std::vector<std::string> out;
  for (const auto& event : *events) out.push_back(Describe(event));
  return out;
}

TEST(MetaParser, PageCommentsRepliesAndModeration) {
  const auto events = Parse(R"({"object": "page", "entry": [{"id": "P", "time": 1, "changes": [
    {"field": "feed", "value": {"item": "comment", "verb": "add", "comment_id": "C2",
      "post_id": "P_1", "parent_id": "C1", "from": {"id": "U", "name": "Jane"},
      "created_time": 1449135003, "message": "still waiting"}},
    {"field": "feed", "value": {"item": "comment", "verb": "add", "comment_id": "C3",
      "post_id": "P_1", "parent_id": "C2", "from": {"id": "P", "name": "Acme"},
      "created_time": 1449135004, "message": "^JD on it"}},
    {"field": "feed", "value": {"item": "comment", "verb": "hide", "comment_id": "C2", "post_id": "P_1"}},
    {"field": "feed", "value": {"item": "comment", "verb": "remove", "comment_id": "C1", "post_id": "P_1"}},
    {"field": "feed", "value": {"item": "reaction", "verb": "add", "post_id": "P_1",
      "reaction_type": "angry", "from": {"id": "U"}}}]}]})");
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0],
            "message C2 comment public inbound author=U(-,0) reply_to=C1 quote=- thread=P_1 "
            "at=2015-12-03T09:30:03.000Z media=0 text=\"still waiting\"");
  EXPECT_NE(events[1].find("message C3 comment public outbound author=P"), std::string::npos);
  EXPECT_EQ(events[2], "hide C2");
  EXPECT_EQ(events[3], "delete C1");
  EXPECT_EQ(events[4], "interaction reaction actor=U(-) target=P_1 value=angry");
}

TEST(MetaParser, MessengerMessagesEchoesAndReceipts) {
  const auto events = Parse(R"({"object": "page", "entry": [{"id": "P", "time": 1, "messaging": [
    {"sender": {"id": "U"}, "recipient": {"id": "P"}, "timestamp": 1457764197627,
     "message": {"mid": "m1", "text": "hello", "reply_to": {"mid": "m0"},
                 "attachments": [{"type": "image", "payload": {"url": "https://x.invalid/a.jpg"}}]}},
    {"sender": {"id": "P"}, "recipient": {"id": "U"}, "timestamp": 1457764197700,
     "message": {"mid": "m2", "text": "hi! ^JD", "is_echo": true}},
    {"sender": {"id": "U"}, "recipient": {"id": "P"}, "timestamp": 1457764198000,
     "delivery": {"mids": ["m2"], "watermark": 1457764198000}},
    {"sender": {"id": "U"}, "recipient": {"id": "P"}, "timestamp": 1457764199000,
     "postback": {"title": "Track my order", "payload": "TRACK"}},
    {"sender": {"id": "U"}, "recipient": {"id": "P"}, "timestamp": 1, "pass_thread_control": {}}]}]})");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_NE(events[0].find("message m1 direct_message private inbound author=U(-,0) reply_to=m0"),
            std::string::npos);
  EXPECT_NE(events[0].find("media=1"), std::string::npos);
  EXPECT_NE(events[1].find("message m2 direct_message private outbound author=P"),
            std::string::npos);
  EXPECT_EQ(events[2], "delivery m2 delivered");
  EXPECT_NE(events[3].find("text=\"Track my order\""), std::string::npos);
}

TEST(MetaParser, OnlyTheAccountsOwnEntriesAreRead) {
  const char* two_pages = R"({"object": "page", "entry": [
    {"id": "A", "changes": [{"field": "feed", "value": {"item": "post", "verb": "add",
      "post_id": "A_1", "from": {"id": "U"}, "message": "for A"}}]},
    {"id": "B", "changes": [{"field": "feed", "value": {"item": "post", "verb": "add",
      "post_id": "B_1", "from": {"id": "U"}, "message": "for B"}}]}]})";
  EXPECT_EQ(Parse(two_pages, "A").size(), 1u);
  EXPECT_EQ(Parse(two_pages, "B").size(), 1u);
  EXPECT_EQ(Parse(two_pages).size(), 2u);
  EXPECT_EQ(AddressedIds(two_pages), (std::vector<std::string>{"A", "B"}));
}

TEST(MetaParser, WhatsAppMessagesOfEveryKindAndStatuses) {
  const auto events = Parse(R"({"object": "whatsapp_business_account", "entry": [{"id": "W",
    "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp",
      "metadata": {"phone_number_id": "PN"},
      "contacts": [{"profile": {"name": "Jane"}, "wa_id": "447700900123"}],
      "messages": [
        {"from": "447700900123", "id": "w1", "timestamp": "1697043223", "type": "text",
         "text": {"body": "where is my card?"}},
        {"from": "447700900123", "id": "w2", "timestamp": "1697043224", "type": "image",
         "image": {"id": "MEDIA", "mime_type": "image/jpeg", "caption": "this one"},
         "context": {"id": "w0"}},
        {"from": "447700900123", "id": "w3", "timestamp": "1697043225", "type": "reaction",
         "reaction": {"message_id": "w0", "emoji": "👍"}},
        {"from": "447700900123", "id": "w4", "timestamp": "1697043226", "type": "interactive",
         "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}}}],
      "statuses": [{"id": "w0", "status": "failed", "timestamp": "1697043230",
                    "recipient_id": "447700900123",
                    "errors": [{"code": 131047, "title": "Re-engagement message"}]}]}}]}]})",
                            "PN");
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0],
            "message w1 direct_message private inbound author=447700900123(+447700900123,0) "
            "reply_to=- quote=- thread=- at=2023-10-11T16:53:43.000Z media=0 "
            "text=\"where is my card?\"");
  EXPECT_NE(events[1].find("reply_to=w0"), std::string::npos);
  EXPECT_NE(events[1].find("media=1 text=\"this one\""), std::string::npos);
  EXPECT_EQ(events[2], "interaction reaction actor=447700900123(-) target=w0 value=👍");
  EXPECT_NE(events[3].find("text=\"Yes\""), std::string::npos);
  EXPECT_EQ(events[4], "delivery w0 failed error=\"131047 Re-engagement message\"");
  // Another number of the same business account is not ours.
  EXPECT_TRUE(Parse(R"({"object": "whatsapp_business_account", "entry": [{"id": "W", "changes": [
    {"field": "messages", "value": {"metadata": {"phone_number_id": "OTHER"}, "messages": [
      {"from": "1", "id": "x", "type": "text", "text": {"body": "hi"}}]}}]}]})",
                    "PN")
                  .empty());
}

TEST(MetaParser, RefusesWhatIsNotAMetaDelivery) {
  EXPECT_EQ(Parse(R"({"object": "user", "entry": []})"),
            std::vector<std::string>{"error: object: 'user' is not a Meta object Parley reads"});
  EXPECT_EQ(Parse(R"({"entry": []})").at(0).substr(0, 24), "error: object: is requir");
  EXPECT_EQ(Parse(R"({"object": "page"})"),
            std::vector<std::string>{"error: entry: expected an array"});
  EXPECT_EQ(Parse(R"({"object": "page", "entry": [{"id": "P", "messaging": [
    {"sender": {"id": "U"}, "recipient": {"id": "P"}, "mystery": {}}]}]})"),
            std::vector<std::string>{
                "error: entry[0].messaging[0]: a messaging event of no kind Parley knows"});
}

TEST(MetaSignature, SelfComputedVector) {
  // printf '%s' '{"object":"page"}' | openssl dgst -sha256 -hmac app-secret
  const std::string header =
      "sha256=ae958d6f00b134dd32b95a9a76bedaaeb068c0949769358355023f7d1a0c580b";
  EXPECT_TRUE(VerifySignature("app-secret", R"({"object":"page"})", header));
  EXPECT_FALSE(VerifySignature("app-secret", R"({"object":"page" })", header));
  EXPECT_FALSE(VerifySignature("app-secret", R"({"object":"page"})", "sha256=00"));
}

TEST(MetaSignature, TheRealVectorVerifies) {
  const char* shared = std::getenv("PARLEY_SHARED_DATA");
  const std::filesystem::path dir =
      shared ? std::filesystem::path(shared) / "meta-webhooks" / "signature-vectors"
             : std::filesystem::path();
  if (!shared || !std::filesystem::is_directory(dir)) {
    GTEST_SKIP() << "../shared/data/meta-webhooks is absent: the real signature vector is skipped";
  }
  std::ifstream vector_file(dir / "whatsapp_x_hub_signature_256_vector.json");
  const auto vector = nlohmann::json::parse(vector_file);
  std::ifstream body_file(dir / vector["raw_body_file"].get<std::string>(), std::ios::binary);
  std::stringstream body;
  body << body_file.rdbuf();
  const std::string secret = vector["app_secret"];
  const std::string header = vector["x_hub_signature_256"];
  EXPECT_TRUE(VerifySignature(secret, body.str(), header));
  EXPECT_FALSE(VerifySignature(secret, body.str() + " ", header));
  EXPECT_FALSE(VerifySignature("another secret", body.str(), header));
}

}  // namespace
}  // namespace parley::channels::meta
