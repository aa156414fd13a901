#include "parley/channels/email/email_parser.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>

#include "parley/core/crypto.h"

namespace parley::channels::email {
namespace {

core::Error Invalid(std::string message) {
  return core::MakeError(core::ErrorCode::kInvalidArgument, std::move(message));
}

void InitGmimeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// Owners for GLib objects and strings.
struct Unref {
  void operator()(gpointer object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, Unref>;
struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};
using GString = std::unique_ptr<char, GFree>;

std::string Header(GMimeObject* object, const char* name) {
  const char* value = g_mime_object_get_header(object, name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// Message ids without their angle brackets, as References lists them.
std::vector<std::string> MessageIds(const std::string& header) {
  std::vector<std::string> ids;
  if (header.empty()) return ids;
  GMimeReferences* references = g_mime_references_parse(nullptr, header.c_str());
  if (references == nullptr) return ids;
  for (int i = 0; i < g_mime_references_length(references); ++i) {
    ids.emplace_back(g_mime_references_get_message_id(references, i));
  }
  g_mime_references_free(references);
  return ids;
}

// Whether the message is a multipart/report (a delivery status notification).
bool IsReport(GMimeMessage* message) {
  GMimeObject* body = g_mime_message_get_mime_part(message);
  if (body == nullptr) return false;
  GMimeContentType* type = g_mime_object_get_content_type(body);
  return type != nullptr && g_mime_content_type_is_type(type, "multipart", "report");
}

// Whether the message is a bounce or a reply no person wrote.
bool Automatic(GMimeMessage* message) {
  GMimeObject* object = GMIME_OBJECT(message);
  const std::string submitted = Lower(Header(object, "Auto-Submitted"));
  if (!submitted.empty() && submitted != "no") return true;
  for (const char* name : {"X-Autoreply", "X-Autorespond"}) {
    if (!Trim(Header(object, name)).empty()) return true;
  }
  const std::string precedence = Lower(Trim(Header(object, "Precedence")));
  // Not "list": a support address that is a mailing list (a Google Group) stamps every
  // customer's mail with it.
  if (precedence == "bulk" || precedence == "junk" || precedence == "auto_reply") {
    return true;
  }
  return IsReport(message);
}

bool FromMailerDaemon(const std::string& address) {
  const std::string local = Lower(address.substr(0, address.find('@')));
  return local == "mailer-daemon" || local == "postmaster";
}

struct Walk {
  std::string plain;
  std::string html;
  std::vector<domain::Attachment> attachments;
  std::vector<GMimePart*> parts;  // of the attachments, in the same order
};

// A part's content, decoded from its transfer encoding.
std::string PartBytes(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  GObjectPtr<GMimeStream> sink(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(content, sink.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(sink.get()));
  return bytes == nullptr ? std::string()
                          : std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string KindOf(GMimeContentType* type) {
  const char* media = g_mime_content_type_get_media_type(type);
  const std::string m = media == nullptr ? "" : Lower(media);
  if (m == "image" || m == "video" || m == "audio") return m;
  return "file";
}

void Visit(GMimeObject* /*parent*/, GMimeObject* part, gpointer data) {
  Walk& walk = *static_cast<Walk*>(data);
  if (!GMIME_IS_PART(part)) return;
  GMimeContentType* type = g_mime_object_get_content_type(part);
  const bool attachment = g_mime_part_is_attachment(GMIME_PART(part));
  if (!attachment && GMIME_IS_TEXT_PART(part)) {
    const bool plain = g_mime_content_type_is_type(type, "text", "plain");
    const bool html = g_mime_content_type_is_type(type, "text", "html");
    if ((plain && walk.plain.empty()) || (html && walk.html.empty())) {
      GString text(g_mime_text_part_get_text(GMIME_TEXT_PART(part)));
      if (text) (plain ? walk.plain : walk.html) = text.get();
      return;
    }
  }
  // Anything else that is not the body is an attachment or an inline image.
  domain::Attachment a;
  a.kind = KindOf(type);
  GString mime(g_mime_content_type_get_mime_type(type));
  if (mime) a.mime_type = mime.get();
  const char* name = g_mime_part_get_filename(GMIME_PART(part));
  if (name != nullptr) a.name = name;
  GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(part));
  if (content != nullptr) {
    GObjectPtr<GMimeStream> sink(g_mime_stream_null_new());
    const gint64 written = g_mime_data_wrapper_write_to_stream(content, sink.get());
    a.size_bytes = written > 0 ? written : 0;
  }
  walk.attachments.push_back(std::move(a));
  walk.parts.push_back(GMIME_PART(part));
}

GObjectPtr<GMimeMessage> ParseMessage(std::string_view raw) {
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  return GObjectPtr<GMimeMessage>(g_mime_parser_construct_message(parser.get(), nullptr));
}

// What a bounce says about the message it returns.
struct Bounce {
  std::string message_id;  // of the returned message
  std::string reason;
  bool failed = true;  // false: a warning (delayed), not a failure
};

struct BounceWalk {
  Bounce bounce;
  bool any_action = false;
  bool any_failed = false;
};

std::string FirstMatch(const std::string& text, const std::regex& pattern) {
  std::smatch match;
  return std::regex_search(text, match, pattern) ? Trim(match[1].str()) : std::string();
}

void VisitBounce(GMimeObject* /*parent*/, GMimeObject* part, gpointer data) {
  static const std::regex kMessageId(R"((?:^|\n)Message-ID:\s*<([^>\r\n]+)>)", std::regex::icase);
  static const std::regex kAction(R"((?:^|\n)Action:\s*([A-Za-z]+))", std::regex::icase);
  static const std::regex kDiagnostic(R"((?:^|\n)Diagnostic-Code:\s*[^;\r\n]*;\s*([^\r\n]+))",
                                      std::regex::icase);
  static const std::regex kStatus(R"((?:^|\n)Status:\s*([0-9.]+))", std::regex::icase);
  auto& walk = *static_cast<BounceWalk*>(data);
  if (GMIME_IS_MESSAGE_PART(part)) {
    GMimeMessage* returned = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
    const char* id = returned == nullptr ? nullptr : g_mime_message_get_message_id(returned);
    if (id != nullptr && walk.bounce.message_id.empty()) walk.bounce.message_id = id;
    return;
  }
  if (!GMIME_IS_PART(part)) return;
  GMimeContentType* type = g_mime_object_get_content_type(part);
  const std::string content = PartBytes(GMIME_PART(part));
  if (g_mime_content_type_is_type(type, "message", "delivery-status")) {
    // One block per recipient, each with its Action; the message failed if any failed.
    for (std::sregex_iterator it(content.begin(), content.end(), kAction), end; it != end; ++it) {
      walk.any_action = true;
      if (Lower((*it)[1].str()) == "failed") walk.any_failed = true;
    }
    std::string reason = FirstMatch(content, kDiagnostic);
    if (reason.empty()) {
      const std::string status = FirstMatch(content, kStatus);
      if (!status.empty()) reason = "status " + status;
    }
    if (!reason.empty()) walk.bounce.reason = reason;
  } else if (g_mime_content_type_is_type(type, "text", "rfc822-headers") ||
             walk.bounce.message_id.empty()) {
    // The returned message's header, or a bounce that quotes it in its text.
    const std::string id = FirstMatch(content, kMessageId);
    if (!id.empty() && (walk.bounce.message_id.empty() ||
                        g_mime_content_type_is_type(type, "text", "rfc822-headers"))) {
      walk.bounce.message_id = id;
    }
  }
}

// The message a bounce returns, when it names one. `from_daemon`: sent by MAILER-DAEMON or
// postmaster, whose plain-text bounces (no delivery-status part) are failures too.
std::optional<Bounce> FindBounce(GMimeMessage* message, bool from_daemon) {
  BounceWalk walk;
  g_mime_message_foreach(message, VisitBounce, &walk);
  if (walk.bounce.message_id.empty()) {
    // Some servers thread the bounce to what it returns.
    const std::vector<std::string> replied =
        MessageIds(Header(GMIME_OBJECT(message), "In-Reply-To"));
    if (!replied.empty()) walk.bounce.message_id = replied.front();
  }
  if (walk.bounce.message_id.empty()) return std::nullopt;
  walk.bounce.failed = walk.any_failed || (!walk.any_action && from_daemon);
  if (walk.bounce.reason.empty()) {
    const char* subject = g_mime_message_get_subject(message);
    walk.bounce.reason = "returned by the mail server";
    if (subject != nullptr) walk.bounce.reason += std::string(": ") + subject;
  }
  return walk.bounce;
}

// The token of a reply address (help+<token>@acme.example) among the recipients, for `mailbox`.
std::string ReplyToken(GMimeMessage* message, const std::string& mailbox) {
  const auto at = mailbox.find('@');
  if (at == std::string::npos) return {};
  const std::string local = Lower(mailbox.substr(0, at)) + "+";
  const std::string domain = Lower(mailbox.substr(at));
  std::vector<std::string> candidates;
  for (const GMimeAddressType kind : {GMIME_ADDRESS_TYPE_TO, GMIME_ADDRESS_TYPE_CC}) {
    InternetAddressList* list = g_mime_message_get_addresses(message, kind);
    for (int i = 0; list != nullptr && i < internet_address_list_length(list); ++i) {
      InternetAddress* address = internet_address_list_get_address(list, i);
      if (!INTERNET_ADDRESS_IS_MAILBOX(address)) continue;
      const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
      if (addr != nullptr) candidates.emplace_back(addr);
    }
  }
  for (const char* name : {"Delivered-To", "X-Original-To"}) {
    const std::string value = Trim(Header(GMIME_OBJECT(message), name));
    if (!value.empty()) candidates.push_back(value);
  }
  static const std::regex kToken(R"(^[0-9]+\.[0-9a-f]{8,64}$)");
  for (const std::string& candidate : candidates) {
    const std::string address = Lower(candidate);
    if (address.size() <= local.size() + domain.size() || address.rfind(local, 0) != 0 ||
        address.substr(address.size() - domain.size()) != domain) {
      continue;
    }
    const std::string token =
        address.substr(local.size(), address.size() - local.size() - domain.size());
    if (std::regex_match(token, kToken)) return token;
  }
  return {};
}

// Text from HTML for a message without a plain part: tags dropped, entities of the common kind
// decoded, blank runs folded.
std::string TextOfHtml(const std::string& html) {
  static const std::regex kDrop(R"(<(script|style)[^>]*>[\s\S]*?</\1>)", std::regex::icase);
  static const std::regex kBreak(R"(<(br|/p|/div|/li|/tr|/h[1-6])[^>]*>)", std::regex::icase);
  static const std::regex kTag(R"(<[^>]*>)");
  std::string text = std::regex_replace(html, kDrop, "");
  text = std::regex_replace(text, kBreak, "\n");
  text = std::regex_replace(text, kTag, "");
  for (const auto& [entity, value] :
       {std::pair{"&nbsp;", " "}, std::pair{"&lt;", "<"}, std::pair{"&gt;", ">"},
        std::pair{"&quot;", "\""}, std::pair{"&#39;", "'"}, std::pair{"&amp;", "&"}}) {
    for (std::size_t at = text.find(entity); at != std::string::npos;
         at = text.find(entity, at + 1)) {
      text.replace(at, std::string_view(entity).size(), value);
    }
  }
  return text;
}

}  // namespace

std::string VisibleReply(std::string_view body) {
  static const std::regex kWrote(
      R"(^\s*(On\s.+wrote:|Am\s.+schrieb.*:|Le\s.+a écrit\s?:|El\s.+escribió:)\s*$)");
  static const std::regex kOriginal(R"(^\s*-{2,}\s*(Original Message|Forwarded message)\s*-{2,})",
                                    std::regex::icase);
  static const std::regex kFromHeader(R"(^\s*(From|De|Von):\s.+)");
  static const std::regex kSentFrom(R"(^\s*Sent from (my|Mail for)\b.*$)");
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start <= body.size();) {
    const std::size_t end = body.find('\n', start);
    std::string_view line =
        body.substr(start, end == std::string_view::npos ? body.size() - start : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  std::size_t keep = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string line(lines[i]);
    const bool quoted = !line.empty() && line.front() == '>';
    const bool signature = line == "-- " || line == "--";
    // "On Tue, ... Jane <jane@example.com>" may wrap onto the next line before "wrote:".
    const std::string joined = i + 1 < lines.size() ? line + " " + std::string(lines[i + 1]) : line;
    const bool wrote = std::regex_match(line, kWrote) ||
                       (line.rfind("On ", 0) == 0 && std::regex_match(joined, kWrote));
    if (quoted || signature || wrote || std::regex_search(line, kOriginal) ||
        std::regex_match(line, kSentFrom) ||
        (std::regex_match(line, kFromHeader) && i > 0 && Trim(lines[i - 1]).empty() &&
         i + 1 < lines.size() && std::string(lines[i + 1]).find(':') != std::string::npos)) {
      keep = i;
      break;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < keep; ++i) {
    out.append(lines[i]);
    out.push_back('\n');
  }
  std::string visible = Trim(out);
  return visible.empty() ? Trim(body) : visible;
}

core::Result<AttachmentContent> EmailAttachment(std::string_view raw, std::size_t index) {
  InitGmimeOnce();
  GObjectPtr<GMimeMessage> message = ParseMessage(raw);
  if (!message) return Invalid("the stored message cannot be read as an email");
  Walk walk;
  g_mime_message_foreach(message.get(), Visit, &walk);
  if (index >= walk.parts.size()) {
    return core::MakeError(core::ErrorCode::kNotFound,
                           "the message has " + std::to_string(walk.parts.size()) +
                               " attachments; there is no number " + std::to_string(index));
  }
  AttachmentContent content;
  content.mime_type = walk.attachments[index].mime_type;
  content.name = walk.attachments[index].name;
  content.bytes = PartBytes(walk.parts[index]);
  return content;
}

core::Result<std::vector<domain::InboundEvent>> EmailParser::Parse(const ParseInput& input) const {
  InitGmimeOnce();
  if (input.headers_json.find(kRefusedHeader) != std::string_view::npos) {
    const auto headers = nlohmann::json::parse(input.headers_json, nullptr, false);
    const auto refused = headers.is_object() ? headers.find(kRefusedHeader) : headers.end();
    if (headers.is_object() && refused != headers.end() && refused->is_string()) {
      return Invalid(refused->get<std::string>());
    }
  }
  if (input.body.empty()) return Invalid("the email is empty");
  GObjectPtr<GMimeMessage> message = ParseMessage(input.body);
  if (!message) return Invalid("not an RFC 5322 message: GMime could not read its headers");
  GMimeObject* object = GMIME_OBJECT(message.get());

  domain::Message m;
  m.channel = domain::ChannelKind::kEmail;
  m.kind = domain::MessageKind::kEmail;
  m.direction = domain::Direction::kInbound;
  m.visibility = domain::Visibility::kPrivate;
  InternetAddressList* from = g_mime_message_get_from(message.get());
  for (int i = 0; from != nullptr && i < internet_address_list_length(from); ++i) {
    InternetAddress* address = internet_address_list_get_address(from, i);
    if (!INTERNET_ADDRESS_IS_MAILBOX(address)) continue;
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
    if (addr == nullptr || std::string_view(addr).find('@') == std::string_view::npos) continue;
    m.author.platform_user_id = Lower(addr);
    m.author.handle = m.author.platform_user_id;
    if (const char* name = internet_address_get_name(address)) m.author.display_name = name;
    break;
  }
  if (m.author.platform_user_id.empty()) {
    return Invalid("the email has no sender address in From: it cannot be answered");
  }
  const bool from_daemon = FromMailerDaemon(m.author.platform_user_id);
  if (from_daemon || Automatic(message.get())) {
    // A bounce or an automatic reply opens no conversation; a bounce of Parley's answer says
    // that answer failed. An out-of-office reply to it says nothing about its delivery.
    std::vector<domain::InboundEvent> events;
    const std::optional<Bounce> bounce = from_daemon || IsReport(message.get())
                                             ? FindBounce(message.get(), from_daemon)
                                             : std::nullopt;
    if (bounce && bounce->failed) {
      GDateTime* date = g_mime_message_get_date(message.get());
      const core::Timestamp at =
          date != nullptr
              ? core::FromMillis(static_cast<std::int64_t>(g_date_time_to_unix(date)) * 1000)
              : input.received_at;
      events.emplace_back(domain::InboundDeliveryUpdate(
          bounce->message_id, domain::DeliveryStatus::kFailed, bounce->reason, at));
    }
    return events;
  }

  const char* id = g_mime_message_get_message_id(message.get());
  // Without a Message-ID the content names it, so that the same email delivered twice is one.
  m.platform_message_id = id != nullptr && *id != '\0'
                              ? std::string(id)
                              : "sha256:" + core::ToHex(core::Sha256(input.body)) + "@parley";
  const std::vector<std::string> references = MessageIds(Header(object, "References"));
  const std::vector<std::string> in_reply_to = MessageIds(Header(object, "In-Reply-To"));
  const std::string token = ReplyToken(message.get(), input.account.platform_account_id);
  const std::string account_domain =
      input.account.platform_account_id.substr(input.account.platform_account_id.find('@') + 1);
  if (!token.empty()) {
    // The answer of Parley's that the customer replies to, by the address they replied to.
    m.in_reply_to_platform_id = "parley." + token + "@" + account_domain;
  } else if (!in_reply_to.empty()) {
    m.in_reply_to_platform_id = in_reply_to.front();
  } else if (!references.empty()) {
    m.in_reply_to_platform_id = references.back();
  }
  m.platform_thread_id = references.empty() ? m.in_reply_to_platform_id : references.front();
  if (m.platform_thread_id.empty()) m.platform_thread_id = m.platform_message_id;

  GDateTime* date = g_mime_message_get_date(message.get());
  m.published_at =
      date != nullptr
          ? core::FromMillis(static_cast<std::int64_t>(g_date_time_to_unix(date)) * 1000)
          : input.received_at;
  m.received_at = input.received_at;

  Walk walk;
  g_mime_message_foreach(message.get(), Visit, &walk);
  m.attachments = std::move(walk.attachments);
  const std::string body = !walk.plain.empty() ? walk.plain : TextOfHtml(walk.html);
  std::string subject;
  if (const char* s = g_mime_message_get_subject(message.get())) subject = s;
  m.subject = subject;
  std::string text = VisibleReply(body);
  // A new email's subject is part of what the customer said; a reply's ("Re: ...") is not news.
  if (!subject.empty() && m.in_reply_to_platform_id.empty()) {
    text = text.empty() ? subject : subject + "\n\n" + text;
  }
  if (text.empty() && m.attachments.empty()) {
    return Invalid("the email has no text and no attachment");
  }
  m.text = std::move(text);
  std::vector<domain::InboundEvent> events;
  events.emplace_back(domain::InboundMessage{std::move(m)});
  return events;
}

}  // namespace parley::channels::email
