#include "parley/channels/describe.h"

#include "parley/core/crypto.h"

namespace parley::channels {
namespace {

std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

std::string Quoted(const std::string& text, std::size_t max = 48) {
  std::string out = "\"";
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size() && count < max; ++i, ++count) {
    const char c = text[i];
    if (c == '\n') {
      out += "\\n";
    } else if (c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  // Do not cut a UTF-8 sequence in half.
  while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
  if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  if (count < text.size()) out += "…";
  return out + "\"";
}

std::string Text(const std::string& text, bool digest) {
  if (!digest) return Quoted(text);
  return std::to_string(text.size()) + ":" + core::ToHex(core::Sha256(text)).substr(0, 12);
}

}  // namespace

std::string Describe(const domain::InboundEvent& event, bool digest_text) {
  if (const auto* inbound = std::get_if<domain::InboundMessage>(&event)) {
    const domain::Message& m = inbound->message;
    return "message " + m.platform_message_id + " " + std::string(domain::ToString(m.kind)) + " " +
           std::string(domain::ToString(m.visibility)) + " " +
           std::string(domain::ToString(m.direction)) +
           " author=" + OrDash(m.author.platform_user_id) + "(" + OrDash(m.author.handle) + "," +
           std::to_string(m.author.followers) + ") reply_to=" + OrDash(m.in_reply_to_platform_id) +
           " quote=" + OrDash(m.quoted_platform_id) + " thread=" + OrDash(m.platform_thread_id) +
           " at=" + core::FormatIso8601(m.published_at) +
           " media=" + std::to_string(m.attachments.size()) + " text=" + Text(m.text, digest_text);
  }
  if (const auto* edit = std::get_if<domain::InboundEdit>(&event)) {
    return "edit " + edit->platform_message_id + " text=" + Text(edit->text, digest_text);
  }
  if (const auto* deletion = std::get_if<domain::InboundDeletion>(&event)) {
    return "delete " + deletion->platform_message_id;
  }
  if (const auto* visibility = std::get_if<domain::InboundVisibilityChange>(&event)) {
    return std::string(visibility->hidden ? "hide " : "unhide ") + visibility->platform_message_id;
  }
  if (const auto* delivery = std::get_if<domain::InboundDeliveryUpdate>(&event)) {
    return "delivery " + delivery->platform_message_id + " " +
           std::string(domain::ToString(delivery->status)) +
           (delivery->error.empty() ? "" : " error=" + Quoted(delivery->error));
  }
  const auto& interaction = std::get<domain::InboundInteraction>(event).interaction;
  return "interaction " + std::string(domain::ToString(interaction.kind)) +
         " actor=" + OrDash(interaction.actor.platform_user_id) + "(" +
         OrDash(interaction.actor.handle) + ") target=" + OrDash(interaction.target_platform_id) +
         (interaction.value.empty() ? "" : " value=" + interaction.value);
}

}  // namespace parley::channels
