// Each sender against a local fake of its platform: the request must have the published method,
// path, bearer token and body; the platform's answers (ids, rate limits, expired tokens, closed
// windows) must come back as the right result.
#include <gtest/gtest.h>

#include "parley/outbound/fake_platform.h"
#include "parley/outbound/meta_sender.h"
#include "parley/outbound/x_sender.h"

namespace parley::outbound {
namespace {

using domain::ChannelKind;
using domain::OutboundKind;
using nlohmann::json;
using testing::FakePlatform;

const core::Timestamp kNow = core::FromMillis(1'800'000'000'000);

domain::ChannelAccount Account(ChannelKind kind, const std::string& base, std::string platform_id) {
  domain::ChannelAccount account;
  account.id = domain::ChannelAccountId(10);
  account.kind = kind;
  account.name = "acme-" + std::string(domain::ToString(kind));
  account.platform_account_id = std::move(platform_id);
  account.api_base_url = base;
  account.credentials["access_token"] = "tok-123";
  return account;
}

domain::OutboxItem Item(OutboundKind kind, std::string target = "", std::string recipient = "",
                        std::string text = "") {
  domain::OutboxItem item;
  item.id = domain::OutboxId(42);
  item.action.kind = kind;
  item.action.target_platform_id = std::move(target);
  item.action.recipient_platform_user_id = std::move(recipient);
  item.action.text = std::move(text);
  return item;
}

class SenderTest : public ::testing::Test {
 protected:
  // Sends and returns the one request the fake saw.
  testing::RecordedRequest SendOne(Sender& sender, const domain::OutboxItem& item,
                                   const domain::ChannelAccount& account, SendResult* result) {
    *result = sender.Send(item, account, kNow);
    auto requests = fake_.requests();
    EXPECT_EQ(requests.size(), seen_ + 1);
    seen_ = requests.size();
    return requests.empty() ? testing::RecordedRequest{} : requests.back();
  }

  FakePlatform fake_;
  http::HttpClient client_;
  std::size_t seen_ = 0;
};

TEST_F(SenderTest, XRepliesDirectMessagesAndModeratesWithTheV2Shapes) {
  XSender sender(client_);
  auto account = Account(ChannelKind::kX, fake_.base(), "1500000000000000001");
  SendResult result;

  fake_.Answer(201, R"({"data":{"id":"1860000000000000001","text":"Sorry!",)"
                    R"("edit_history_tweet_ids":["1860000000000000001"]}})");
  auto reply = SendOne(sender, Item(OutboundKind::kReply, "1850000000000000001", "", "Sorry!"),
                       account, &result);
  EXPECT_EQ(reply.method, "POST");
  EXPECT_EQ(reply.target, "/2/tweets");
  EXPECT_EQ(reply.authorization, "Bearer tok-123");
  EXPECT_EQ(reply.content_type, "application/json");
  EXPECT_EQ(reply.body, json::parse(R"({"text":"Sorry!","reply":{"in_reply_to_tweet_id":)"
                                    R"("1850000000000000001"}})"));
  EXPECT_EQ(result.kind, SendResult::Kind::kSent);
  EXPECT_EQ(result.platform_id, "1860000000000000001");

  fake_.Answer(201, R"({"data":{"dm_conversation_id":"1500000000000000001-99",)"
                    R"("dm_event_id":"1870000000000000001"}})");
  auto dm = SendOne(sender, Item(OutboundKind::kDirectMessage, "", "99", "Your order number?"),
                    account, &result);
  EXPECT_EQ(dm.method, "POST");
  EXPECT_EQ(dm.target, "/2/dm_conversations/with/99/messages");
  EXPECT_EQ(dm.body, json::parse(R"({"text":"Your order number?"})"));
  EXPECT_EQ(result.platform_id, "1870000000000000001");

  fake_.Answer(200, R"({"data":{"hidden":true}})");
  auto hide = SendOne(sender, Item(OutboundKind::kHide, "1850000000000000002"), account, &result);
  EXPECT_EQ(hide.method, "PUT");
  EXPECT_EQ(hide.target, "/2/tweets/1850000000000000002/hidden");
  EXPECT_EQ(hide.body, json::parse(R"({"hidden":true})"));
  EXPECT_EQ(result.kind, SendResult::Kind::kSent);

  fake_.Answer(200, R"({"data":{"deleted":true}})");
  auto del = SendOne(sender, Item(OutboundKind::kDelete, "1860000000000000001"), account, &result);
  EXPECT_EQ(del.method, "DELETE");
  EXPECT_EQ(del.target, "/2/tweets/1860000000000000001");
  EXPECT_TRUE(del.body.is_null());

  fake_.Answer(200, R"({"data":{"liked":true}})");
  auto like = SendOne(sender, Item(OutboundKind::kLike, "1850000000000000001"), account, &result);
  EXPECT_EQ(like.target, "/2/users/1500000000000000001/likes");
  EXPECT_EQ(like.body, json::parse(R"({"tweet_id":"1850000000000000001"})"));

  EXPECT_EQ(sender.Send(Item(OutboundKind::kTemplate), account, kNow).code, "unsupported");
  EXPECT_EQ(fake_.requests().size(), seen_);  // refused without a request
}

TEST_F(SenderTest, XErrorsBecomeRetriesOrReasons) {
  XSender sender(client_);
  auto account = Account(ChannelKind::kX, fake_.base(), "1500000000000000001");
  const auto reply = Item(OutboundKind::kReply, "1850000000000000001", "", "hi");
  SendResult result;

  fake_.Answer(429,
               R"({"title":"Too Many Requests","detail":"Too Many Requests",)"
               R"("type":"about:blank","status":429})",
               {{"x-rate-limit-limit", "200"},
                {"x-rate-limit-remaining", "0"},
                {"x-rate-limit-reset", std::to_string(core::ToMillis(kNow) / 1000 + 90)}});
  SendOne(sender, reply, account, &result);
  EXPECT_EQ(result.kind, SendResult::Kind::kRetry);
  EXPECT_EQ(result.code, "rate_limited");
  ASSERT_TRUE(result.retry_after.has_value());
  EXPECT_EQ(*result.retry_after, std::chrono::seconds(90));

  fake_.Answer(401, R"({"title":"Unauthorized","type":"about:blank","status":401,)"
                    R"("detail":"Unauthorized"})");
  SendOne(sender, reply, account, &result);
  EXPECT_EQ(result.kind, SendResult::Kind::kFailed);
  EXPECT_EQ(result.code, "token_expired");

  fake_.Answer(403, R"({"detail":"You cannot send messages to this user.","type":)"
                    R"("about:blank","title":"Forbidden","status":403})");
  SendOne(sender, Item(OutboundKind::kDirectMessage, "", "99", "hello"), account, &result);
  EXPECT_EQ(result.code, "window_closed");
  EXPECT_EQ(result.reason, "You cannot send messages to this user.");

  fake_.Answer(503, R"({"title":"Service Unavailable"})");
  SendOne(sender, reply, account, &result);
  EXPECT_EQ(result.kind, SendResult::Kind::kRetry);
  EXPECT_EQ(result.code, "server_error");
  fake_.Answer(500, R"({"title":"Internal Server Error"})");
  SendOne(sender, reply, account, &result);
  EXPECT_EQ(result.kind, SendResult::Kind::kUnconfirmed);
  fake_.Answer(201, "not json");  // accepted all the same
  SendOne(sender, reply, account, &result);
  EXPECT_EQ(result.kind, SendResult::Kind::kSent);

  account.credentials.clear();
  EXPECT_EQ(sender.Send(reply, account, kNow).code, "not_configured");
}

TEST_F(SenderTest, FacebookCommentRepliesPrivateRepliesMessengerAndModeration) {
  MetaSender sender(client_);
  auto account = Account(ChannelKind::kFacebook, fake_.base() + "/v21.0/", "1122334455");
  SendResult result;

  fake_.Answer(200, R"({"id":"1122334455_667788_991"})");
  auto reply = SendOne(sender, Item(OutboundKind::kReply, "1122334455_667788", "", "Thanks!"),
                       account, &result);
  EXPECT_EQ(reply.method, "POST");
  EXPECT_EQ(reply.target, "/v21.0/1122334455_667788/comments");
  EXPECT_EQ(reply.authorization, "Bearer tok-123");
  EXPECT_EQ(reply.body, json::parse(R"({"message":"Thanks!"})"));
  EXPECT_EQ(result.platform_id, "1122334455_667788_991");

  fake_.Answer(200, R"({"recipient_id":"2455","message_id":"m_private"})");
  auto private_reply =
      SendOne(sender, Item(OutboundKind::kPrivateReply, "1122334455_667788", "", "DM us"), account,
              &result);
  EXPECT_EQ(private_reply.target, "/v21.0/1122334455/messages");
  EXPECT_EQ(private_reply.body, json::parse(R"({"recipient":{"comment_id":"1122334455_667788"},)"
                                            R"("message":{"text":"DM us"}})"));
  EXPECT_EQ(result.platform_id, "m_private");

  fake_.Answer(200, R"({"recipient_id":"2455","message_id":"m_abc"})");
  auto dm = SendOne(sender, Item(OutboundKind::kDirectMessage, "", "2455", "On its way"), account,
                    &result);
  EXPECT_EQ(dm.target, "/v21.0/1122334455/messages");
  EXPECT_EQ(dm.body,
            json::parse(R"({"recipient":{"id":"2455"},"messaging_type":"RESPONSE",)"
                        R"("message":{"text":"On its way","metadata":"parley:outbox:42"}})"));
  EXPECT_EQ(result.platform_id, "m_abc");

  fake_.Answer(200, R"({"success":true})");
  auto hide = SendOne(sender, Item(OutboundKind::kHide, "667788_1"), account, &result);
  EXPECT_EQ(hide.target, "/v21.0/667788_1");
  EXPECT_EQ(hide.body, json::parse(R"({"is_hidden":true})"));
  EXPECT_EQ(result.kind, SendResult::Kind::kSent);

  fake_.Answer(200, R"({"success":true})");
  auto unhide = SendOne(sender, Item(OutboundKind::kUnhide, "667788_1"), account, &result);
  EXPECT_EQ(unhide.body, json::parse(R"({"is_hidden":false})"));

  fake_.Answer(200, R"({"success":true})");
  auto del = SendOne(sender, Item(OutboundKind::kDelete, "667788_1"), account, &result);
  EXPECT_EQ(del.method, "DELETE");
  EXPECT_EQ(del.target, "/v21.0/667788_1");

  fake_.Answer(200, R"({"success":true})");
  auto like = SendOne(sender, Item(OutboundKind::kLike, "667788_1"), account, &result);
  EXPECT_EQ(like.target, "/v21.0/667788_1/likes");
}

TEST_F(SenderTest, InstagramRepliesDirectMessagesAndHides) {
  MetaSender sender(client_);
  auto account = Account(ChannelKind::kInstagram, fake_.base() + "/v21.0", "17841400000000");
  SendResult result;

  fake_.Answer(200, R"({"id":"17900000000000002"})");
  auto reply =
      SendOne(sender, Item(OutboundKind::kReply, "17900000000000001", "", "Hi!"), account, &result);
  EXPECT_EQ(reply.target, "/v21.0/17900000000000001/replies");
  EXPECT_EQ(reply.body, json::parse(R"({"message":"Hi!"})"));

  fake_.Answer(200, R"({"recipient_id":"6000","message_id":"aWdfZAG"})");
  auto dm =
      SendOne(sender, Item(OutboundKind::kDirectMessage, "", "6000", "Hello"), account, &result);
  EXPECT_EQ(dm.target, "/v21.0/me/messages");
  EXPECT_EQ(dm.body, json::parse(R"({"recipient":{"id":"6000"},"message":{"text":"Hello"}})"));
  EXPECT_EQ(result.platform_id, "aWdfZAG");

  fake_.Answer(200, R"({"success":true})");
  auto hide = SendOne(sender, Item(OutboundKind::kHide, "17900000000000001"), account, &result);
  EXPECT_EQ(hide.body, json::parse(R"({"hide":true})"));

  EXPECT_EQ(sender.Send(Item(OutboundKind::kLike, "1"), account, kNow).code, "unsupported");
}

TEST_F(SenderTest, WhatsAppTextRepliesAndTemplates) {
  MetaSender sender(client_);
  auto account = Account(ChannelKind::kWhatsApp, fake_.base() + "/v21.0", "106540352242922");
  SendResult result;

  fake_.Answer(200, R"({"messaging_product":"whatsapp","contacts":[{"input":"16505551234",)"
                    R"("wa_id":"16505551234"}],"messages":[{"id":"wamid.HBgL"}]})");
  auto reply =
      SendOne(sender, Item(OutboundKind::kReply, "wamid.IN1", "16505551234", "We're on it"),
              account, &result);
  EXPECT_EQ(reply.target, "/v21.0/106540352242922/messages");
  EXPECT_EQ(reply.body, json::parse(R"({"messaging_product":"whatsapp","recipient_type":)"
                                    R"("individual","to":"16505551234","type":"text","text":)"
                                    R"({"preview_url":false,"body":"We're on it"},"context":)"
                                    R"({"message_id":"wamid.IN1"},"biz_opaque_callback_data":)"
                                    R"("parley:outbox:42"})"));
  EXPECT_EQ(result.platform_id, "wamid.HBgL");

  auto item = Item(OutboundKind::kTemplate, "", "16505551234");
  item.action.template_name = "order_update";
  item.action.template_language = "en_US";
  item.action.template_parameters = {"Ada", "A-1001"};
  fake_.Answer(200, R"({"messaging_product":"whatsapp","messages":[{"id":"wamid.T1"}]})");
  auto sent = SendOne(sender, item, account, &result);
  EXPECT_EQ(sent.body["type"], "template");
  EXPECT_EQ(sent.body["template"],
            json::parse(R"({"name":"order_update","language":{"code":"en_US"},"components":)"
                        R"([{"type":"body","parameters":[{"type":"text","text":"Ada"},)"
                        R"({"type":"text","text":"A-1001"}]}]})"));
  EXPECT_EQ(result.platform_id, "wamid.T1");

  EXPECT_EQ(sender.Send(Item(OutboundKind::kHide, "x"), account, kNow).code, "unsupported");
  EXPECT_EQ(sender.Send(Item(OutboundKind::kDirectMessage, "", "", "no one"), account, kNow).code,
            "rejected");
}

TEST_F(SenderTest, GraphErrorsBecomeRetriesOrReasons) {
  MetaSender sender(client_);
  auto account = Account(ChannelKind::kWhatsApp, fake_.base() + "/v21.0", "106540352242922");
  const auto text = Item(OutboundKind::kDirectMessage, "", "16505551234", "hi");
  SendResult result;

  fake_.Answer(429,
               R"({"error":{"message":"(#130429) Rate limit hit","type":"OAuthException",)"
               R"("code":130429,"error_data":{"messaging_product":"whatsapp","details":)"
               R"("Cloud API message throughput has been reached."},"fbtrace_id":"Az8"}})",
               {{"Retry-After", "30"}});
  SendOne(sender, text, account, &result);
  EXPECT_EQ(result.kind, SendResult::Kind::kRetry);
  EXPECT_EQ(result.code, "rate_limited");
  EXPECT_EQ(result.retry_after, std::chrono::seconds(30));

  fake_.Answer(401, R"({"error":{"message":"Error validating access token: Session has expired )"
                    R"(on Friday, 20-Nov-26 10:00:00 PST.","type":"OAuthException","code":190,)"
                    R"("error_subcode":463,"fbtrace_id":"A1"}})");
  SendOne(sender, text, account, &result);
  EXPECT_EQ(result.kind, SendResult::Kind::kFailed);
  EXPECT_EQ(result.code, "token_expired");
  EXPECT_NE(result.reason.find("Session has expired"), std::string::npos);

  fake_.Answer(400, R"({"error":{"message":"(#131047) Re-engagement message","type":)"
                    R"("OAuthException","code":131047,"error_data":{"messaging_product":)"
                    R"("whatsapp","details":"Message failed to send because more than 24 hours )"
                    R"(have passed since the customer last replied to this number."}}})");
  SendOne(sender, text, account, &result);
  EXPECT_EQ(result.code, "window_closed");
  EXPECT_NE(result.reason.find("more than 24 hours"), std::string::npos);

  auto page = Account(ChannelKind::kFacebook, fake_.base() + "/v21.0", "1122334455");
  fake_.Answer(400, R"({"error":{"message":"(#10) This message is sent outside of allowed )"
                    R"(window.","type":"OAuthException","code":10,"error_subcode":2018278}})");
  SendOne(sender, Item(OutboundKind::kDirectMessage, "", "2455", "late"), page, &result);
  EXPECT_EQ(result.code, "window_closed");

  fake_.Answer(400,
               R"({"error":{"message":"(#4) Application request limit reached","type":)"
               R"("OAuthException","code":4}})",
               {{"X-Business-Use-Case-Usage", R"({"1122334455":[{"type":"pages","call_count":100,)"
                                              R"("estimated_time_to_regain_access":5}]})"}});
  SendOne(sender, Item(OutboundKind::kReply, "1_2", "", "x"), page, &result);
  EXPECT_EQ(result.code, "rate_limited");
  EXPECT_EQ(result.retry_after, std::chrono::minutes(5));

  // A server error after a message may have been posted: not repeated. Moderation is.
  fake_.Answer(500, R"({"error":{"message":"An unknown error occurred","code":1,)"
                    R"("is_transient":true}})");
  SendOne(sender, Item(OutboundKind::kReply, "1_2", "", "x"), page, &result);
  EXPECT_EQ(result.kind, SendResult::Kind::kUnconfirmed);
  fake_.Answer(500, R"({"error":{"message":"An unknown error occurred","code":1,)"
                    R"("is_transient":true}})");
  SendOne(sender, Item(OutboundKind::kHide, "1_2"), page, &result);
  EXPECT_EQ(result.kind, SendResult::Kind::kRetry);

  fake_.Answer(400, R"({"error":{"message":"(#100) Invalid parameter","code":100}})");
  SendOne(sender, Item(OutboundKind::kReply, "1_2", "", "x"), page, &result);
  EXPECT_EQ(result.kind, SendResult::Kind::kFailed);
  EXPECT_EQ(result.code, "rejected");
}

TEST_F(SenderTest, NoAnswerFromAnUnreachablePlatformIsRetried) {
  XSender sender(client_);
  auto account = Account(ChannelKind::kX, "http://127.0.0.1:9", "1");  // discard port: closed
  auto result = sender.Send(Item(OutboundKind::kReply, "1", "", "x"), account, kNow);
  EXPECT_EQ(result.kind, SendResult::Kind::kRetry);
  EXPECT_EQ(result.code, "unreachable");
}

}  // namespace
}  // namespace parley::outbound
