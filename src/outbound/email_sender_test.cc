#include "parley/outbound/email_sender.h"

#include <gtest/gtest.h>

namespace parley::outbound {
namespace {

domain::ChannelAccount Mailbox(std::string smtp) {
  domain::ChannelAccount account;
  account.kind = domain::ChannelKind::kEmail;
  account.name = "Acme Help";
  account.platform_account_id = "help@acme.example";
  account.api_base_url = std::move(smtp);
  return account;
}

domain::OutboxItem Answer() {
  domain::OutboxItem item;
  item.id = domain::OutboxId(77);
  item.action.kind = domain::OutboundKind::kDirectMessage;
  item.action.recipient_platform_user_id = "jane@example.com";
  item.action.target_platform_id = "m2@example.com";
  item.action.references = {"m1@example.com"};
  item.action.subject = "Re: Broken kettle";
  item.action.text = "Sorry, Jane <3\nA new one is on its way. ^AH";
  return item;
}

TEST(ComposeEmail, ThreadsUnderTheCustomersMessageWithTextAndHtml) {
  const std::string raw = ComposeEmail(Answer(), Mailbox("smtp://127.0.0.1:1"),
                                       "parley.77.abc@acme.example", core::FromMillis(0));
  for (const char* expected :
       {"From: Acme Help <help@acme.example>\r\n", "To: jane@example.com\r\n",
        "Subject: Re: Broken kettle\r\n", "Message-Id: <parley.77.abc@acme.example>\r\n",
        "In-Reply-To: <m2@example.com>\r\n", "References: <m1@example.com> <m2@example.com>\r\n",
        "multipart/alternative", "Content-Type: text/plain", "Content-Type: text/html",
        "Sorry, Jane &lt;3<br>"}) {
    EXPECT_NE(raw.find(expected), std::string::npos) << expected << "\n" << raw;
  }
}

TEST(EmailSender, SaysWhatIsMissingAndRetriesWhenNobodyListens) {
  EmailSender sender;
  const auto unset = sender.Send(Answer(), Mailbox(""), core::FromMillis(0));
  EXPECT_EQ(unset.kind, SendResult::Kind::kFailed);
  EXPECT_EQ(unset.code, "not_configured");
  const auto nobody = sender.Send(Answer(), Mailbox("smtp://127.0.0.1:1"), core::FromMillis(0));
  EXPECT_EQ(nobody.kind, SendResult::Kind::kRetry);
  EXPECT_EQ(nobody.code, "unreachable");
  auto not_an_address = Answer();
  not_an_address.action.recipient_platform_user_id = "jane";
  EXPECT_EQ(sender.Send(not_an_address, Mailbox("smtp://127.0.0.1:1"), core::FromMillis(0)).code,
            "rejected");
}

}  // namespace
}  // namespace parley::outbound
