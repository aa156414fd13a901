#include "parley/channels/webchat/webchat_parser.h"

#include <gtest/gtest.h>

namespace parley::channels::webchat {
namespace {

core::Result<std::vector<domain::InboundEvent>> Parse(std::string_view body) {
  static const domain::ChannelAccount account;
  return WebChatParser().Parse(
      ParseInput{body, "{}", account, core::FromMillis(1'800'000'000'000)});
}

TEST(WebChatParser, AVisitorsMessageIsAPrivateChatMessageOfTheirs) {
  auto events = Parse(
      R"({"visitor":"visitor:3f9a1c2e-77aa-4b1e","verified":false,"client_id":"c1","text":"Where is order 42?"})");
  ASSERT_TRUE(events.ok()) << events.error().ToString();
  ASSERT_EQ(events->size(), 1u);
  const auto& m = std::get<domain::InboundMessage>(events->front()).message;
  EXPECT_EQ(m.channel, domain::ChannelKind::kWebChat);
  EXPECT_EQ(m.kind, domain::MessageKind::kChat);
  EXPECT_EQ(m.visibility, domain::Visibility::kPrivate);
  EXPECT_EQ(m.platform_message_id, "visitor:3f9a1c2e-77aa-4b1e/c1");
  EXPECT_EQ(m.author.platform_user_id, "visitor:3f9a1c2e-77aa-4b1e");
  EXPECT_EQ(m.author.display_name, "Visitor 3f9a");
  EXPECT_FALSE(m.author.verified);
  EXPECT_EQ(m.text, "Where is order 42?");
  EXPECT_EQ(core::ToMillis(m.published_at), 1'800'000'000'000);

  auto user = Parse(
      R"({"visitor":"user:u-123","verified":true,"name":"Jane","client_id":"c2","text":"Hi"})");
  ASSERT_TRUE(user.ok());
  const auto& u = std::get<domain::InboundMessage>(user->front()).message;
  EXPECT_EQ(u.author.display_name, "Jane");
  EXPECT_TRUE(u.author.verified);
}

TEST(WebChatParser, WhatIsNotAMessageIsRefusedWithTheReason) {
  EXPECT_EQ(Parse("[]").error().message, "a web chat message is a JSON object");
  EXPECT_NE(Parse(R"({"visitor":"visitor:short","client_id":"c","text":"x"})")
                .error()
                .message.find("visitor:"),
            std::string::npos);
  EXPECT_NE(Parse(R"({"visitor":"user:u1","text":"x"})").error().message.find("client_id"),
            std::string::npos);
  EXPECT_EQ(Parse(R"({"visitor":"user:u1","client_id":"c","text":"  "})").error().message,
            "text: the message is empty");
  EXPECT_FALSE(ValidVisitorKey("user:has space"));
  EXPECT_FALSE(ValidVisitorKey("admin:1"));
  EXPECT_TRUE(ValidVisitorKey("visitor:0123456789abcdef"));
}

}  // namespace
}  // namespace parley::channels::webchat
