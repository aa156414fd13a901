#include "parley/cli/demo_stream.h"

#include <gtest/gtest.h>

#include "parley/channels/parser.h"

namespace parley::cli {
namespace {

// Every kind of account the demo may write to gets a payload its platform's parser reads into
// exactly the message the stream meant: the same path as real traffic, for every channel (the
// integration test only sees the channels the random stream happened to pick).
TEST(DemoPayload, EveryChannelsPayloadIsReadByItsParser) {
  const auto parsers = channels::ParserRegistry::Default();
  DemoMessage m;
  m.id = "1900000000000000042";
  m.text = "@AcmeAirHelp my refund for booking QX1234 still hasn't arrived!!";
  m.user_id = "5000007";
  m.handle = "jane_travels";
  m.name = "Jane Porter";
  m.followers = 48'200;
  m.unix_seconds = 1'795'400'000;
  for (const auto kind :
       {domain::ChannelKind::kX, domain::ChannelKind::kFacebook, domain::ChannelKind::kInstagram,
        domain::ChannelKind::kWhatsApp, domain::ChannelKind::kEmail, domain::ChannelKind::kWebChat,
        domain::ChannelKind::kGeneric}) {
    domain::ChannelAccount account;
    account.kind = kind;
    account.platform_account_id =
        kind == domain::ChannelKind::kEmail ? "help@acme-air.example" : "1000000001";
    const std::string body = DemoPayload(account, m);
    const auto* parser = parsers.Find(kind);
    ASSERT_NE(parser, nullptr) << domain::ToString(kind);
    auto events = parser->Parse(
        channels::ParseInput{body, "{}", account, core::FromMillis(m.unix_seconds * 1000)});
    ASSERT_TRUE(events.ok()) << domain::ToString(kind) << ": " << events.error().ToString();
    ASSERT_EQ(events->size(), 1u) << domain::ToString(kind);
    const auto* inbound = std::get_if<domain::InboundMessage>(&events->front());
    ASSERT_NE(inbound, nullptr) << domain::ToString(kind);
    EXPECT_EQ(inbound->message.direction, domain::Direction::kInbound) << domain::ToString(kind);
    EXPECT_NE(inbound->message.text.find("my refund for booking QX1234"), std::string::npos)
        << domain::ToString(kind) << ": " << inbound->message.text;
    EXPECT_FALSE(inbound->message.author.platform_user_id.empty()) << domain::ToString(kind);
  }
}

}  // namespace
}  // namespace parley::cli
