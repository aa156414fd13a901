#include "parley/channels/email/email_parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>

namespace parley::channels::email {
namespace {

class EmailParserTest : public ::testing::Test {
 protected:
  core::Result<std::vector<domain::InboundEvent>> Parse(std::string_view raw) {
    return EmailParser().Parse(ParseInput{raw, "{}", account_, kReceived});
  }
  domain::Message One(std::string_view raw) {
    auto events = Parse(raw);
    EXPECT_TRUE(events.ok()) << events.error().ToString();
    if (!events.ok() || events->size() != 1) {
      ADD_FAILURE() << "expected one event";
      return {};
    }
    return std::get<domain::InboundMessage>(events->front()).message;
  }

  const domain::Timestamp kReceived = core::FromMillis(1'800'000'000'000);
  domain::ChannelAccount account_;
};

TEST_F(EmailParserTest, ReadsAQuotedPrintableReplyAndItsThread) {
  const auto m =
      One("From: =?UTF-8?Q?Jos=C3=A9_P=C3=A9rez?= <Jose@Example.com>\r\n"
          "To: help@acme.example\r\n"
          "Subject: Re: Order 1234\r\n"
          "Date: Mon, 23 Nov 2026 09:30:00 +0100\r\n"
          "Message-ID: <reply-2@example.com>\r\n"
          "In-Reply-To: <ours-1@acme.example>\r\n"
          "References: <root-0@example.com> <ours-1@acme.example>\r\n"
          "MIME-Version: 1.0\r\n"
          "Content-Type: text/plain; charset=UTF-8\r\n"
          "Content-Transfer-Encoding: quoted-printable\r\n"
          "\r\n"
          "It still hasn=E2=80=99t arrived, caf=C3=A9 owner here.\r\n"
          "\r\n"
          "On Mon, 23 Nov 2026 at 08:00, Acme Help <help@acme.example>\r\n"
          "wrote:\r\n"
          "> Your order is on its way.\r\n");
  EXPECT_EQ(m.channel, domain::ChannelKind::kEmail);
  EXPECT_EQ(m.visibility, domain::Visibility::kPrivate);
  EXPECT_EQ(m.platform_message_id, "reply-2@example.com");
  EXPECT_EQ(m.in_reply_to_platform_id, "ours-1@acme.example");
  EXPECT_EQ(m.platform_thread_id, "root-0@example.com");
  EXPECT_EQ(m.author.platform_user_id, "jose@example.com");
  EXPECT_EQ(m.author.display_name, "José Pérez");
  EXPECT_EQ(m.text, "It still hasn’t arrived, café owner here.");  // no subject on a reply
  EXPECT_EQ(core::ToMillis(m.published_at), 1'795'422'600'000);
}

TEST_F(EmailParserTest, ANewEmailKeepsItsSubjectAndListsAttachments) {
  const auto m =
      One("From: jane@example.com\r\n"
          "Subject: Broken kettle\r\n"
          "Message-ID: <new-1@example.com>\r\n"
          "MIME-Version: 1.0\r\n"
          "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
          "\r\n"
          "--b1\r\n"
          "Content-Type: multipart/alternative; boundary=\"b2\"\r\n"
          "\r\n"
          "--b2\r\n"
          "Content-Type: text/html; charset=ISO-8859-1\r\n"
          "\r\n"
          "<p>It leaks &amp; sparks.</p>\r\n"
          "--b2\r\n"
          "Content-Type: text/plain; charset=ISO-8859-1\r\n"
          "Content-Transfer-Encoding: quoted-printable\r\n"
          "\r\n"
          "It leaks and sparks. Gr=FC=DFe\r\n"
          "-- \r\n"
          "Jane, sent with love\r\n"
          "--b2--\r\n"
          "--b1\r\n"
          "Content-Type: image/jpeg; name=\"kettle.jpg\"\r\n"
          "Content-Disposition: attachment; filename=\"kettle.jpg\"\r\n"
          "Content-Transfer-Encoding: base64\r\n"
          "\r\n"
          "/9j/4AAQSkZJRgABAQ==\r\n"
          "--b1--\r\n");
  EXPECT_EQ(m.text, "Broken kettle\n\nIt leaks and sparks. Grüße");
  EXPECT_EQ(m.platform_thread_id, "new-1@example.com");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].kind, "image");
  EXPECT_EQ(m.attachments[0].mime_type, "image/jpeg");
  EXPECT_EQ(m.attachments[0].name, "kettle.jpg");
  EXPECT_EQ(m.attachments[0].size_bytes, 13);
}

TEST_F(EmailParserTest, HtmlOnlyBodiesAreReadAsText) {
  const auto m =
      One("From: a@example.com\r\nMessage-ID: <h@example.com>\r\nSubject: Hi\r\n"
          "Content-Type: text/html\r\n\r\n"
          "<html><style>p{}</style><body><p>Where is &quot;my&quot; order?</p></body></html>\r\n");
  EXPECT_EQ(m.text, "Hi\n\nWhere is \"my\" order?");
}

TEST_F(EmailParserTest, BouncesAndAutomaticRepliesOpenNothing) {
  for (const std::string headers : {
           "From: MAILER-DAEMON@mx.example\r\n",
           "From: a@example.com\r\nAuto-Submitted: auto-replied\r\n",
           "From: a@example.com\r\nX-Autoreply: yes\r\n",
           "From: a@example.com\r\nPrecedence: bulk\r\n",
           "From: a@example.com\r\nContent-Type: multipart/report; "
           "report-type=delivery-status; boundary=x\r\n",
       }) {
    auto events = Parse(headers + "Message-ID: <x@y>\r\nSubject: Out of office\r\n\r\n--x--\r\n");
    ASSERT_TRUE(events.ok()) << headers << events.error().ToString();
    EXPECT_TRUE(events->empty()) << headers;
  }
  // A person's "Auto-Submitted: no" is a person's mail, and so is mail through a list.
  EXPECT_EQ(
      Parse("From: a@example.com\r\nPrecedence: list\r\nSubject: Hi\r\n\r\nhello\r\n")->size(), 1u);
  EXPECT_EQ(
      Parse("From: a@example.com\r\nAuto-Submitted: no\r\nSubject: Hi\r\n\r\nhello\r\n")->size(),
      1u);
}

TEST_F(EmailParserTest, WhatCannotBeAnsweredIsRefusedWithTheReason) {
  EXPECT_EQ(Parse("").error().message, "the email is empty");
  EXPECT_EQ(Parse("Subject: no sender\r\n\r\nhello\r\n").error().message,
            "the email has no sender address in From: it cannot be answered");
  // Without a Message-ID the content names it: the same email twice is one message.
  const std::string raw = "From: a@example.com\r\nSubject: Hi\r\n\r\nhello\r\n";
  EXPECT_EQ(One(raw).platform_message_id, One(raw).platform_message_id);
  EXPECT_EQ(One(raw).platform_message_id.rfind("sha256:", 0), 0u);
}

TEST_F(EmailParserTest, ABounceOfParleysAnswerSaysItFailed) {
  const std::string dsn =
      "From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>\r\n"
      "To: help@acme.example\r\n"
      "Subject: Undelivered Mail Returned to Sender\r\n"
      "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
      "Message-ID: <bounce-1@mx.acme.example>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n"
      "\r\n"
      "--r\r\n"
      "Content-Type: text/plain\r\n\r\nThe mail system could not deliver your message.\r\n"
      "--r\r\n"
      "Content-Type: message/delivery-status\r\n\r\n"
      "Reporting-MTA: dns; mx.acme.example\r\n\r\n"
      "Final-Recipient: rfc822; nobody@example.com\r\n"
      "Action: ACTION\r\n"
      "Status: 5.1.1\r\n"
      "Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.com>: Recipient address rejected\r\n"
      "--r\r\n"
      "Content-Type: text/rfc822-headers\r\n\r\n"
      "From: Acme Help <help@acme.example>\r\n"
      "To: nobody@example.com\r\n"
      "Message-ID: <parley.77.0a1b2c3d4e5f@acme.example>\r\n"
      "--r--\r\n";
  auto failed = Parse(std::regex_replace(dsn, std::regex("ACTION"), "failed"));
  ASSERT_TRUE(failed.ok()) << failed.error().ToString();
  ASSERT_EQ(failed->size(), 1u);
  const auto& update = std::get<domain::InboundDeliveryUpdate>(failed->front());
  EXPECT_EQ(update.platform_message_id, "parley.77.0a1b2c3d4e5f@acme.example");
  EXPECT_EQ(update.status, domain::DeliveryStatus::kFailed);
  EXPECT_EQ(update.error, "550 5.1.1 <nobody@example.com>: Recipient address rejected");
  // An out-of-office reply to Parley's answer says nothing about its delivery.
  auto away = Parse(
      "From: nobody@example.com\r\nAuto-Submitted: auto-replied\r\nSubject: Automatic reply\r\n"
      "In-Reply-To: <parley.77.0a1b2c3d4e5f@acme.example>\r\nMessage-ID: <ooo@example.com>\r\n\r\n"
      "I am away until Monday.\r\n");
  ASSERT_TRUE(away.ok());
  EXPECT_TRUE(away->empty());
  // A warning that delivery is delayed is not a failure.
  auto delayed = Parse(std::regex_replace(dsn, std::regex("ACTION"), "delayed"));
  ASSERT_TRUE(delayed.ok());
  EXPECT_TRUE(delayed->empty());
}

TEST_F(EmailParserTest, TheReplyAddressTokenNamesTheAnswerRepliedTo) {
  account_.platform_account_id = "help@acme.example";
  const auto m =
      One("From: jane@example.com\r\nTo: Acme Help <Help+77.0a1b2c3d4e5f@acme.example>\r\n"
          "Subject: Re: Your message\r\nMessage-ID: <j2@example.com>\r\n\r\nStill broken.\r\n");
  EXPECT_EQ(m.in_reply_to_platform_id, "parley.77.0a1b2c3d4e5f@acme.example");
  EXPECT_EQ(m.text, "Still broken.");
  // Another mailbox's plus address, or a token of the wrong shape, is no token.
  EXPECT_TRUE(One("From: jane@example.com\r\nTo: sales+77.0a1b2c3d4e5f@acme.example\r\n"
                  "Message-ID: <j3@example.com>\r\n\r\nHi\r\n")
                  .in_reply_to_platform_id.empty());
  EXPECT_TRUE(One("From: jane@example.com\r\nTo: help+promo@acme.example\r\n"
                  "Message-ID: <j4@example.com>\r\n\r\nHi\r\n")
                  .in_reply_to_platform_id.empty());
}

TEST_F(EmailParserTest, AMessageStoredOnlyInPartIsRefusedWithWhy) {
  auto refused = EmailParser().Parse(ParseInput{
      "From: a@example.com\r\nSubject: Huge\r\n\r\n",
      R"({"content-type":"message/rfc822","x-parley-refused":"the message is 99 bytes, more"})",
      account_, kReceived});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "the message is 99 bytes, more");
}

TEST(EmailAttachment, ReadsOneBackFromTheRawMessage) {
  const std::string raw =
      "From: jane@example.com\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nSee the photo.\r\n"
      "--b\r\nContent-Type: image/png; name=\"a.png\"\r\n"
      "Content-Disposition: attachment; filename=\"a.png\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n--b--\r\n";
  auto first = EmailAttachment(raw, 0);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->bytes, "hello world");
  EXPECT_EQ(first->mime_type, "image/png");
  EXPECT_EQ(first->name, "a.png");
  EXPECT_EQ(EmailAttachment(raw, 1).error().code, core::ErrorCode::kNotFound);
}

TEST(VisibleReply, CutsQuotesSignaturesAndOriginals) {
  EXPECT_EQ(VisibleReply("Thanks!\n\n> earlier\n> more"), "Thanks!");
  EXPECT_EQ(VisibleReply("Yes please.\n-- \nJane\nACME"), "Yes please.");
  EXPECT_EQ(VisibleReply("Fine.\n\n-----Original Message-----\nFrom: x"), "Fine.");
  EXPECT_EQ(VisibleReply("Ok\n\nSent from my iPhone"), "Ok");
  EXPECT_EQ(VisibleReply("Ja.\n\nAm 23.11.2026 um 08:00 schrieb Acme:\n> x"), "Ja.");
  EXPECT_EQ(VisibleReply("> only a quote"), "> only a quote");  // nothing else to show
  EXPECT_EQ(VisibleReply("a -- b\nc"), "a -- b\nc");            // a dash in a line is text
}

// Every fixture of the shared corpus is read into a message, or refused with a reason; the
// reply-parser corpus's visible text is what it expects where it says so.
TEST(EmailCorpus, EveryFixtureIsParsedOrRefusedNeverACrash) {
  const char* shared = std::getenv("PARLEY_SHARED_DATA");
  const std::filesystem::path dir =
      shared ? std::filesystem::path(shared) / "email-mime-samples" : std::filesystem::path();
  if (!shared || !std::filesystem::is_directory(dir)) {
    GTEST_SKIP() << "../shared/data/email-mime-samples is absent: the corpus is skipped";
  }
  domain::ChannelAccount account;
  int parsed = 0;
  int refused = 0;
  int silent = 0;
  int bounced = 0;
  std::map<std::string, int> reasons;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.rfind("LICENSE", 0) == 0 || name == "SOURCES.md" ||
        name.front() == '.') {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream raw;
    raw << in.rdbuf();
    const std::string body = raw.str();
    auto events = EmailParser().Parse(ParseInput{body, "{}", account, core::FromMillis(0)});
    if (!events.ok()) {
      EXPECT_FALSE(events.error().message.empty()) << entry.path();
      ++reasons[events.error().message];
      ++refused;
    } else if (events->empty()) {
      ++silent;
    } else if (const auto* update = std::get_if<domain::InboundDeliveryUpdate>(&events->front())) {
      EXPECT_FALSE(update->platform_message_id.empty()) << entry.path();
      EXPECT_FALSE(update->error.empty()) << entry.path();
      ++bounced;
    } else {
      const auto& m = std::get<domain::InboundMessage>(events->front()).message;
      EXPECT_FALSE(m.platform_message_id.empty()) << entry.path();
      EXPECT_FALSE(m.author.platform_user_id.empty()) << entry.path();
      ++parsed;
    }
  }
  std::cout << "email corpus: " << parsed << " parsed, " << bounced << " bounces of a message, "
            << silent << " automatic, " << refused << " refused\n";
  for (const auto& [reason, count] : reasons) std::cout << "  " << count << " x " << reason << "\n";
  EXPECT_GT(parsed, 80);
}

}  // namespace
}  // namespace parley::channels::email
