#include "parley/domain/json_codec.h"

#include <gtest/gtest.h>

namespace parley::domain {
namespace {

const Timestamp kT0 = core::FromMillis(1'795'408'542'123);

template <typename T>
void ExpectRoundTrip(const T& value) {
  auto decoded = DecodeJson<T>(EncodeJson(value));
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_EQ(*decoded, value);
}

TEST(JsonCodec, MessageRoundTripsWithReadableFields) {
  Message m;
  m.id = MessageId(9'007'199'254'740'993);  // beyond JavaScript's exact integers
  m.workspace_id = WorkspaceId(1);
  m.channel = ChannelKind::kWhatsApp;
  m.kind = MessageKind::kDirectMessage;
  m.visibility = Visibility::kPrivate;
  m.platform_message_id = "wamid.HBgL";
  m.author = {"447700900123", "+44 7700 900123", "Jane", 0, false};
  m.text = "Where is my order? 📦";
  m.attachments = {{"image", "https://example.invalid/a.jpg", "image/jpeg", "a.jpg", 1234}};
  m.tags = {"delivery"};
  m.published_at = kT0;
  m.received_at = kT0 + Duration(5);
  m.edited_at = kT0 + Duration(10);
  ExpectRoundTrip(m);

  const auto json = nlohmann::json(m);
  EXPECT_EQ(json["id"], "9007199254740993");
  EXPECT_EQ(json["channel"], "whatsapp");
  EXPECT_EQ(json["kind"], "direct_message");
  EXPECT_EQ(json["published_at"], "2026-11-23T04:35:42.123Z");
  EXPECT_TRUE(json["conversation_id"].is_null());
  EXPECT_TRUE(json["deleted_at"].is_null());
}

TEST(JsonCodec, EveryEntityRoundTrips) {
  Conversation c;
  c.id = ConversationId(5);
  c.status = ConversationStatus::kWaitingOnCustomer;
  c.tier = Tier::kTier1;
  c.priority_reasons = {"dissatisfied", "influencer 48k followers"};
  c.channels = {ChannelKind::kX, ChannelKind::kEmail};
  c.sla.first_response_due = kT0;
  c.first_response_at = kT0;
  c.version = 3;
  ExpectRoundTrip(c);

  Agent a;
  a.id = AgentId(2);
  a.role = Role::kTeamLeader;
  a.skills = {{SkillKind::kLanguage, "es", 5}, {SkillKind::kTopic, "billing", 3}};
  a.channel_weights = {{ChannelKind::kWebChat, 2}};
  a.team_ids = {TeamId(3)};
  ExpectRoundTrip(a);

  Team t;
  t.id = TeamId(3);
  t.max_wait = std::chrono::minutes(10);
  t.overflow_team_id = TeamId(4);
  ExpectRoundTrip(t);

  BusinessCalendar cal;
  cal.time_zone = "Europe/Madrid";
  cal.weekly[0] = {{9 * 60, 13 * 60}, {14 * 60, 18 * 60}};
  cal.holidays = {{"2026-12-25", "Navidad"}};
  ExpectRoundTrip(cal);

  Rule r;
  r.conditions = {{"sentiment", ConditionOperator::kAtMost, {"3"}}};
  r.actions = {{ActionKind::kSetPriority, "90"}, {ActionKind::kTag, "angry"}};
  ExpectRoundTrip(r);

  KeywordTable k;
  k.entries = {{"refund*", PatternKind::kRegex, false, {"refunds"}, "billing", TeamId(1), 40}};
  ExpectRoundTrip(k);

  ExpectRoundTrip(DefaultSlaPolicy(WorkspaceId(1)));
  ExpectRoundTrip(SurveyResponse{SurveyResponseId(1), WorkspaceId(1), ConversationId(2),
                                 CustomerId(3), AgentId(4), TeamId(5), SurveyKind::kNps, 9, "ok",
                                 kT0});
  ExpectRoundTrip(Customer{CustomerId(1),
                           WorkspaceId(1),
                           "Jane",
                           {{ChannelKind::kX, "123", "@jane", "Jane", 48'000, true}},
                           "gold",
                           {{"crm_id", "C-1"}},
                           kT0,
                           kT0});
  ExpectRoundTrip(ChannelAccount{ChannelAccountId(1),
                                 WorkspaceId(1),
                                 ChannelKind::kX,
                                 "@AcmeHelp",
                                 "999",
                                 "https://api.x.com",
                                 "",
                                 {{"consumer_secret", "s"}},
                                 true});
}

TEST(JsonCodec, MissingFieldsTakeDefaults) {
  auto m = DecodeJson<Message>(R"({"text":"hello"})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->text, "hello");
  EXPECT_EQ(m->direction, Direction::kInbound);
  EXPECT_FALSE(m->id.valid());
}

TEST(JsonCodec, BadInputIsAnErrorValue) {
  for (const char* bad : {R"({"channel":"myspace"})", R"({"published_at":"tuesday"})",
                          R"({"id":"abc"})", R"({"id":"-4"})", R"({"text":5})", "[1,2", "\"x\""}) {
    auto m = DecodeJson<Message>(bad);
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_EQ(m.error().code, core::ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace parley::domain

namespace parley::domain {
namespace {

Message FullMessage(int seed) {
  Message m;
  m.id = MessageId(1000 + seed);
  m.workspace_id = WorkspaceId(1);
  m.conversation_id = ConversationId(seed % 2 == 0 ? 7 : 0);
  m.channel_account_id = ChannelAccountId(3);
  m.channel = seed % 2 == 0 ? ChannelKind::kX : ChannelKind::kWhatsApp;
  m.kind = MessageKind::kReply;
  m.direction = seed % 3 == 0 ? Direction::kOutbound : Direction::kInbound;
  m.visibility = Visibility::kPrivate;
  m.platform_message_id = "p\"" + std::to_string(seed);
  m.platform_thread_id = "thread";
  m.in_reply_to_platform_id = "parent";
  m.quoted_platform_id = "quoted";
  m.customer_id = CustomerId(5);
  m.agent_id = AgentId(seed % 2 == 0 ? 6 : 0);
  m.author = {"u1", "@jane", "Jane \\ D", 48'000, true};
  m.recipient_platform_user_id = "r1";
  m.text = "line one\nline two\t\"quoted\" \x01 ünïcödé 👍 ^JD";
  m.language = "en";
  if (seed % 2 == 1) m.sentiment = 2.35 + seed;
  if (seed % 2 == 1) m.personal_data = {"card", "email"};
  if (seed % 2 == 1) m.redacted_text = "card [card], mail [email]";
  if (seed % 3 == 1) m.filters = {"spam"};
  m.attachments = {{"image", "https://x.invalid/a.jpg", "image/jpeg", "a.jpg", 1234},
                   {"location", "geo:1,2", "", "", 0}};
  m.metrics = {1, 2, 3, 4, 5};
  m.tags = {"refund", "vip"};
  m.published_at = kT0;
  m.received_at = kT0 + Duration(seed);
  if (seed % 2 == 0) m.edited_at = kT0 + Duration(10);
  m.deleted_at = seed % 2 == 0 ? std::nullopt : std::optional<Timestamp>(kT0 + Duration(20));
  m.hidden = seed % 2 == 0;
  m.delivery = DeliveryStatus::kFailed;
  m.delivery_error = "131047 Re-engagement message";
  m.raw_payload_id = RawPayloadId(99);
  m.subject = "Re: order " + std::to_string(seed);
  return m;
}

TEST(FastEncoders, MessageMatchesTheCodecFieldForField) {
  for (int seed = 0; seed < 6; ++seed) {
    const Message m = FullMessage(seed);
    const auto fast = nlohmann::json::parse(EncodeMessage(m));
    EXPECT_EQ(fast, nlohmann::json(m)) << fast.dump(2);
    EXPECT_EQ(*DecodeJson<Message>(EncodeMessage(m)), m);
  }
}

TEST(FastEncoders, ConversationMatchesTheCodecFieldForField) {
  Conversation c;
  c.id = ConversationId(5);
  c.workspace_id = WorkspaceId(1);
  c.customer_id = CustomerId(2);
  c.status = ConversationStatus::kWaitingOnCustomer;
  c.priority = 87;
  c.tier = Tier::kTier1;
  c.priority_reasons = {"dissatisfied", "influencer 48k followers"};
  c.category = "billing";
  c.tags = {"refund"};
  c.sentiment = 2.1;
  c.team_id = TeamId(3);
  c.assignee_id = AgentId(4);
  c.last_assignee_id = AgentId(4);
  c.channels = {ChannelKind::kX, ChannelKind::kEmail};
  c.sla.first_response_due = kT0;
  c.sla.reply_window_closes = kT0 + Duration(5);
  c.resolution_code = "fixed";
  c.opened_at = kT0;
  c.updated_at = kT0 + Duration(1);
  c.assigned_at = kT0 + Duration(2);
  c.first_response_at = kT0 + Duration(3);
  c.last_customer_message_at = kT0 + Duration(4);
  c.message_count = 12;
  c.version = 30;
  EXPECT_EQ(nlohmann::json::parse(EncodeConversation(c)), nlohmann::json(c));
  EXPECT_EQ(*DecodeJson<Conversation>(EncodeConversation(c)), c);
  EXPECT_EQ(nlohmann::json::parse(EncodeConversation(Conversation())),
            nlohmann::json(Conversation()));
}

TEST(FastEncoders, CustomerMatchesTheCodecFieldForField) {
  Customer c{CustomerId(1),
             WorkspaceId(2),
             "Jane \"JD\" Doe",
             {{ChannelKind::kX, "123", "@jane", "Jane", 48'000, true},
              {ChannelKind::kWhatsApp, "447700900123", "+447700900123", "", 0, false}},
             "gold",
             {{"crm_id", "C-1"}, {"segment", "frequent flyer"}},
             kT0,
             kT0 + Duration(9)};
  EXPECT_EQ(nlohmann::json::parse(EncodeCustomer(c)), nlohmann::json(c));
  EXPECT_EQ(nlohmann::json::parse(EncodeCustomer(Customer())), nlohmann::json(Customer()));
}

TEST(FastEncoders, InvalidUtf8IsReplacedNotRefused) {
  Message m;
  m.text = std::string("ok \xC3\x28 \xFF end", 11);
  const auto json = nlohmann::json::parse(EncodeMessage(m));
  EXPECT_EQ(json["text"], "ok \xEF\xBF\xBD( \xEF\xBF\xBD end");
}

}  // namespace
}  // namespace parley::domain
