#include "parley/outbound/email_sender.h"

#include <curl/curl.h>
#include <gmime/gmime.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

#include "parley/core/crypto.h"

namespace parley::outbound {
namespace {

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_mime_init();
    curl_global_init(CURL_GLOBAL_DEFAULT);
  });
}

struct Unref {
  void operator()(gpointer object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, Unref>;

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\n':
        out += "<br>\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

GMimeTextPart* TextPart(const char* subtype, const std::string& text) {
  GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype);
  g_mime_text_part_set_text(part, text.c_str());  // UTF-8; GMime picks the transfer encoding
  return part;
}

std::string Bracketed(const std::string& id) { return "<" + id + ">"; }

struct Upload {
  std::string data;
  std::size_t offset = 0;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t room = size * count;
  const std::size_t left = upload->data.size() - upload->offset;
  const std::size_t n = std::min(room, left);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

}  // namespace

std::string ComposeEmail(const domain::OutboxItem& item, const domain::ChannelAccount& account,
                         const std::string& message_id, core::Timestamp now) {
  InitOnce();
  GObjectPtr<GMimeMessage> message(g_mime_message_new(TRUE));
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_FROM, account.name.c_str(),
                             account.platform_account_id.c_str());
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_TO, nullptr,
                             item.action.recipient_platform_user_id.c_str());
  const std::string subject = item.action.subject.empty() ? "Your message" : item.action.subject;
  g_mime_message_set_subject(message.get(), subject.c_str(), "utf-8");
  g_mime_message_set_message_id(message.get(), message_id.c_str());
  GDateTime* date = g_date_time_new_from_unix_utc(core::ToMillis(now) / 1000);
  g_mime_message_set_date(message.get(), date);
  g_date_time_unref(date);
  GMimeObject* object = GMIME_OBJECT(message.get());
  if (!item.action.target_platform_id.empty()) {
    g_mime_object_set_header(object, "In-Reply-To",
                             Bracketed(item.action.target_platform_id).c_str(), nullptr);
    std::string references;
    for (const std::string& id : item.action.references) {
      if (id == item.action.target_platform_id) continue;
      references += Bracketed(id) + " ";
    }
    references += Bracketed(item.action.target_platform_id);
    g_mime_object_set_header(object, "References", references.c_str(), nullptr);
  }
  // The reply address (help+<outbox id>.<random>@…) names this answer, for mail clients that
  // drop In-Reply-To; the email parser reads it back (channels/email/email_parser.h).
  const auto account_at = account.platform_account_id.find('@');
  if (message_id.rfind("parley.", 0) == 0 && account_at != std::string::npos) {
    const std::string token = message_id.substr(7, message_id.find('@') - 7);
    const std::string reply_to = account.platform_account_id.substr(0, account_at) + "+" + token +
                                 account.platform_account_id.substr(account_at);
    g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_REPLY_TO, account.name.c_str(),
                               reply_to.c_str());
  }
  g_mime_object_set_header(object, "Auto-Submitted", "no", nullptr);
  GObjectPtr<GMimeMultipart> alternative(g_mime_multipart_new_with_subtype("alternative"));
  GObjectPtr<GMimeTextPart> plain(TextPart("plain", item.action.text));
  GObjectPtr<GMimeTextPart> html(TextPart(
      "html",
      "<!doctype html><html><body><p>" + HtmlEscape(item.action.text) + "</p></body></html>"));
  g_mime_multipart_add(alternative.get(), GMIME_OBJECT(plain.get()));
  g_mime_multipart_add(alternative.get(), GMIME_OBJECT(html.get()));
  g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(alternative.get()));
  GMimeFormatOptions* format = g_mime_format_options_clone(nullptr);
  g_mime_format_options_set_newline_format(format, GMIME_NEWLINE_FORMAT_DOS);
  char* text = g_mime_object_to_string(object, format);
  g_mime_format_options_free(format);
  std::string out = text == nullptr ? std::string() : std::string(text);
  g_free(text);
  return out;
}

SendResult EmailSender::Send(const domain::OutboxItem& item, const domain::ChannelAccount& account,
                             core::Timestamp now) {
  InitOnce();
  if (!domain::CarriesMessage(item.action.kind) ||
      item.action.kind == domain::OutboundKind::kTemplate) {
    return SendResult::Failed("unsupported", "email carries replies and messages only");
  }
  if (account.api_base_url.empty()) {
    return SendResult::Failed("not_configured",
                              "the email account has no SMTP server (api_base_url, smtp://...)");
  }
  if (item.action.recipient_platform_user_id.find('@') == std::string::npos) {
    return SendResult::Failed("rejected", "the recipient is not an email address");
  }
  const std::string domain_part =
      account.platform_account_id.substr(account.platform_account_id.find('@') + 1);
  const std::string message_id =
      "parley." + item.id.ToString() + "." + core::RandomHex(6) + "@" + domain_part;
  Upload upload{ComposeEmail(item, account, message_id, now), 0};

  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return {SendResult::Kind::kRetry, "", "server_error", "curl could not start", {}};
  curl_slist* recipients =
      curl_slist_append(nullptr, item.action.recipient_platform_user_id.c_str());
  const std::string from = "<" + account.platform_account_id + ">";
  curl_easy_setopt(curl.get(), CURLOPT_URL, account.api_base_url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  if (auto user = account.credentials.find("username"); user != account.credentials.end()) {
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, user->second.c_str());
  }
  if (auto password = account.credentials.find("password"); password != account.credentials.end()) {
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, password->second.c_str());
  }
  const CURLcode code = curl_easy_perform(curl.get());
  long reply = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply);
  curl_slist_free_all(recipients);
  if (code == CURLE_OK) return SendResult::Sent(message_id);
  const std::string why = std::string(curl_easy_strerror(code)) +
                          (reply > 0 ? " (the server answered " + std::to_string(reply) + ")" : "");
  if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
      (reply >= 400 && reply < 500)) {
    return {SendResult::Kind::kRetry, "", reply > 0 ? "server_error" : "unreachable", why, {}};
  }
  if (reply >= 500) return SendResult::Failed("rejected", why);
  if (code == CURLE_LOGIN_DENIED) return SendResult::Failed("token_expired", why);
  // Lost once the message was on its way: it may have been delivered.
  if (upload.offset > 0) return {SendResult::Kind::kUnconfirmed, "", "unconfirmed", why, {}};
  return {SendResult::Kind::kRetry, "", "unreachable", why, {}};
}

}  // namespace parley::outbound
