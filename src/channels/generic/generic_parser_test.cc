#include "parley/channels/generic/generic_parser.h"

#include <gtest/gtest.h>

namespace parley::channels::generic {
namespace {

class GenericParserTest : public ::testing::Test {
 protected:
  core::Result<std::vector<domain::InboundEvent>> Parse(std::string_view body) {
    return GenericParser().Parse(ParseInput{body, "{}", account_, kReceived});
  }
  std::string ErrorOf(std::string_view body) {
    auto result = Parse(body);
    return result.ok() ? "ok" : result.error().message;
  }

  static constexpr std::int64_t kReceivedMs = 1'800'000'000'000;
  const domain::Timestamp kReceived = core::FromMillis(kReceivedMs);
  domain::ChannelAccount account_;
};

TEST_F(GenericParserTest, ReadsAFullMessage) {
  auto events = Parse(R"({
    "id": "review-42", "kind": "review", "text": "Two stars. Delivery took 3 weeks.",
    "author": {"id": "u-7", "handle": "jane_d", "name": "Jane D", "followers": 1200, "verified": true},
    "created_at": "2026-11-20T10:00:00Z", "lang": "en", "in_reply_to": "review-1",
    "metrics": {"likes": 4, "replies": 1},
    "attachments": [{"kind": "image", "url": "https://example.invalid/p.jpg", "size_bytes": 100}]
  })");
  ASSERT_TRUE(events.ok()) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  const auto& m = std::get<domain::InboundMessage>((*events)[0]).message;
  EXPECT_EQ(m.platform_message_id, "review-42");
  EXPECT_EQ(m.kind, domain::MessageKind::kReview);
  EXPECT_EQ(m.visibility, domain::Visibility::kPublic);
  EXPECT_EQ(m.author.handle, "jane_d");
  EXPECT_EQ(m.author.followers, 1200);
  EXPECT_TRUE(m.author.verified);
  EXPECT_EQ(core::FormatIso8601(m.published_at), "2026-11-20T10:00:00.000Z");
  EXPECT_EQ(m.received_at, kReceived);
  EXPECT_EQ(m.in_reply_to_platform_id, "review-1");
  EXPECT_EQ(m.metrics.likes, 4);
  EXPECT_EQ(m.attachments.at(0).size_bytes, 100);
}

TEST_F(GenericParserTest, DefaultsFollowTheKind) {
  auto events =
      Parse(R"({"id": "dm-1", "kind": "direct_message", "text": "hi", "author": {"id": "u"}})");
  ASSERT_TRUE(events.ok());
  const auto& m = std::get<domain::InboundMessage>((*events)[0]).message;
  EXPECT_EQ(m.visibility, domain::Visibility::kPrivate);
  EXPECT_EQ(m.published_at, kReceived);
  EXPECT_EQ(m.direction, domain::Direction::kInbound);
}

TEST_F(GenericParserTest, ReadsListsEditsAndDeletes) {
  auto events = Parse(R"({"messages": [
    {"id": "a", "text": "one", "author": {"id": "u"}},
    {"event": "edit", "id": "a", "text": "one!"},
    {"event": "delete", "id": "a", "deleted_at": "2026-11-20T10:00:00Z"}
  ]})");
  ASSERT_TRUE(events.ok()) << events.error().message;
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ(std::get<domain::InboundEdit>((*events)[1]).text, "one!");
  EXPECT_EQ(std::get<domain::InboundDeletion>((*events)[2]).platform_message_id, "a");
  EXPECT_TRUE(Parse(R"([{"id": "a", "text": "x", "author": {"id": "u"}}])").ok());
}

TEST_F(GenericParserTest, SaysExactlyWhatIsWrong) {
  EXPECT_NE(ErrorOf("{not json").find("body: is not valid JSON"), std::string::npos);
  EXPECT_EQ(ErrorOf(R"({"text": "x", "author": {"id": "u"}})"), "message.id: is required");
  EXPECT_EQ(ErrorOf(R"({"id": "a", "text": "x"})"),
            "message.author: is required (an object with at least an id)");
  EXPECT_EQ(ErrorOf(R"({"id": "a", "text": "x", "author": {"id": 5}})"),
            "message.author.id: expected a string");
  EXPECT_EQ(ErrorOf(R"({"id": "a", "author": {"id": "u"}})"),
            "message.text: is required unless there are attachments");
  EXPECT_EQ(ErrorOf(R"({"id": "a", "text": "x", "author": {"id": "u"}, "kind": "fax"})"),
            "message.kind: unknown kind 'fax'");
  EXPECT_EQ(ErrorOf(R"({"id": "a", "text": "x", "author": {"id": "u"}, "created_at": "monday"})"),
            "message.created_at: expected an RFC 3339 time, got 'monday'");
  EXPECT_EQ(
      ErrorOf(R"({"messages": [{"id": "a", "text": "x", "author": {"id": "u"}}, {"id": "b"}]})"),
      "messages[1].author: is required (an object with at least an id)");
  EXPECT_EQ(ErrorOf(R"({"messages": []})"), "messages: is empty");
  EXPECT_EQ(ErrorOf("42"), "body: expected an object or an array of objects");
  EXPECT_EQ(ErrorOf(R"({"id": "a", "text": "x", "author": {"id": "u", "followers": -3}})"),
            "message.author.followers: expected a non-negative integer");
}

}  // namespace
}  // namespace parley::channels::generic
