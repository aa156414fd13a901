#include "parley/channels/meta/meta_parser.h"

#include <map>

#include "parley/channels/json_fields.h"
#include "parley/core/crypto.h"

namespace parley::channels::meta {
namespace {

using json::array;
using json::element;
using json::object;
using Events = std::vector<domain::InboundEvent>;

using json::Bad;

// Meta sends seconds in feeds and WhatsApp, milliseconds in Messenger; both as numbers or strings.
domain::Timestamp TimeOf(std::int64_t value, domain::Timestamp fallback) {
  if (value <= 0) return fallback;
  return value < 100'000'000'000 ? core::FromMillis(value * 1000) : core::FromMillis(value);
}

template <typename Each>
void EachObject(const std::optional<array>& list, Each each) {
  if (!list) return;
  for (element item : *list) {
    object obj;
    if (item.get(obj) == simdjson::SUCCESS) each(obj);
  }
}

domain::InboundEvent InteractionEvent(domain::InteractionKind kind, domain::Author actor,
                                      std::string target, std::string value, domain::Timestamp at) {
  domain::Interaction interaction;
  interaction.kind = kind;
  interaction.actor = std::move(actor);
  interaction.target_platform_id = std::move(target);
  interaction.value = std::move(value);
  interaction.at = at;
  return domain::InboundInteraction{std::move(interaction)};
}

void AddAttachments(const object& message, domain::Message& m) {
  EachObject(json::Array(message, "attachments"), [&](const object& a) {
    domain::Attachment attachment;
    attachment.kind = json::String(a, "type");
    if (auto payload = json::Object(a, "payload")) attachment.url = json::String(*payload, "url");
    if (attachment.url.empty()) attachment.url = json::String(a, "url");
    if (attachment.kind == "location" && attachment.url.empty()) attachment.url = "location:";
    if (!attachment.kind.empty()) m.attachments.push_back(std::move(attachment));
  });
}

// --- Facebook feed and mentions ------------------------------------------------------------

core::Status FeedChange(const object& value, const std::string& page, bool mention,
                        const std::string& where, domain::Timestamp received, Events& events) {
  const std::string item = json::String(value, "item");
  const std::string verb = json::String(value, "verb");
  const std::string comment_id = json::String(value, "comment_id");
  std::string post_id = json::String(value, "post_id");
  if (post_id.empty()) post_id = json::String(value, "video_id");
  const std::string target = !comment_id.empty() ? comment_id : post_id;
  const domain::Timestamp at = TimeOf(json::Int(value, "created_time"), received);

  domain::Author author;
  if (auto from = json::Object(value, "from")) {
    author.platform_user_id = json::String(*from, "id");
    author.display_name = json::String(*from, "name");
  }
  if (author.platform_user_id.empty()) author.platform_user_id = json::String(value, "sender_id");
  if (author.platform_user_id.empty()) author.platform_user_id = json::String(value, "user_id");
  if (author.display_name.empty()) author.display_name = json::String(value, "sender_name");

  if (item == "like" || item == "reaction") {
    if (verb == "add" || verb == "edit" || verb == "edited") {
      const std::string reaction = json::String(value, "reaction_type");
      // A like with no post or comment is a like of the page itself.
      events.push_back(InteractionEvent(
          item == "like" ? domain::InteractionKind::kLike : domain::InteractionKind::kReaction,
          std::move(author), target.empty() ? page : target, reaction, at));
    }
    return core::Ok();  // a like removed changes nothing Parley keeps
  }
  if (item != "comment" && item != "post" && item != "status" && item != "photo" &&
      item != "video" && item != "share") {
    return core::Ok();  // albums, events, cover photos: not conversations
  }
  if (verb == "block" || verb == "unblock" || verb == "mute" || verb == "unmute") {
    return core::Ok();  // Facebook's own moderation of a video: nothing to answer
  }
  if (target.empty()) return Bad(where, "a feed change needs post_id or comment_id");
  if (verb == "add") {
    domain::Message m;
    m.platform_message_id = target;
    m.kind = item == "comment" ? domain::MessageKind::kComment : domain::MessageKind::kPost;
    m.visibility = domain::Visibility::kPublic;
    m.author = std::move(author);
    m.direction = !page.empty() && m.author.platform_user_id == page ? domain::Direction::kOutbound
                                                                     : domain::Direction::kInbound;
    m.text = json::String(value, "message");
    m.platform_thread_id = post_id;
    if (item == "comment") m.in_reply_to_platform_id = json::String(value, "parent_id");
    m.published_at = at;
    m.received_at = received;
    for (const char* key : {"photo", "video", "link"}) {
      if (auto url = json::String(value, key); !url.empty()) {
        m.attachments.push_back({key == std::string_view("link") ? "link" : key, url, "", "", 0});
      }
    }
    if (mention) m.tags.push_back("mention");
    events.emplace_back(domain::InboundMessage{std::move(m)});
  } else if (verb == "edited" || verb == "edit") {
    events.emplace_back(domain::InboundEdit{target, json::String(value, "message"), at});
  } else if (verb == "remove") {
    events.emplace_back(domain::InboundDeletion{target, at});
  } else if (verb == "hide" || verb == "unhide") {
    events.emplace_back(domain::InboundVisibilityChange{target, verb == "hide"});
  } else {
    return Bad(where + ".verb", "unknown verb '" + verb + "'");
  }
  return core::Ok();
}

// --- Messenger and Instagram messaging -----------------------------------------------------

core::Status MessagingEvent(const object& event, const std::string& page, const std::string& where,
                            domain::Timestamp received, Events& events) {
  std::string sender;
  std::string recipient;
  if (auto s = json::Object(event, "sender")) sender = json::String(*s, "id");
  if (auto r = json::Object(event, "recipient")) recipient = json::String(*r, "id");
  const domain::Timestamp at = TimeOf(json::Int(event, "timestamp"), received);
  domain::Author author;
  author.platform_user_id = sender;

  if (auto message = json::Object(event, "message")) {
    const std::string mid = json::String(*message, "mid");
    if (mid.empty()) return Bad(where + ".message", "mid is required");
    if (json::Bool(*message, "is_deleted")) {
      events.emplace_back(domain::InboundDeletion{mid, at});
      return core::Ok();
    }
    domain::Message m;
    m.platform_message_id = mid;
    m.kind = domain::MessageKind::kDirectMessage;
    m.visibility = domain::Visibility::kPrivate;
    const bool echo = json::Bool(*message, "is_echo") || (!page.empty() && sender == page);
    m.direction = echo ? domain::Direction::kOutbound : domain::Direction::kInbound;
    m.author = author;
    if (echo) m.recipient_platform_user_id = recipient;
    m.text = json::String(*message, "text");
    if (auto reply = json::Object(*message, "reply_to")) {
      m.in_reply_to_platform_id = json::String(*reply, "mid");
    }
    if (auto quick = json::Object(*message, "quick_reply")) {
      m.tags.push_back("quick_reply:" + json::String(*quick, "payload"));
    }
    if (json::Bool(*message, "is_unsupported")) m.tags.push_back("unsupported");
    AddAttachments(*message, m);
    m.published_at = at;
    m.received_at = received;
    // The echo of a message Parley sent carries the outbox item it came from.
    domain::OutboxId outbox;
    if (echo) {
      outbox = domain::ParseOutboxReference(json::String(*message, "metadata")).value_or(outbox);
    }
    events.emplace_back(domain::InboundMessage{std::move(m), outbox});
    return core::Ok();
  }
  if (auto edit = json::Object(event, "message_edit")) {
    events.emplace_back(
        domain::InboundEdit{json::String(*edit, "mid"), json::String(*edit, "text"), at});
    return core::Ok();
  }
  if (auto postback = json::Object(event, "postback")) {
    // A tap on a button: the customer's words are the button's title.
    domain::Message m;
    m.platform_message_id = json::String(*postback, "mid");
    if (m.platform_message_id.empty()) {
      m.platform_message_id = "postback:" + sender + ":" + std::to_string(core::ToMillis(at));
    }
    m.kind = domain::MessageKind::kDirectMessage;
    m.visibility = domain::Visibility::kPrivate;
    m.author = author;
    m.text = json::String(*postback, "title");
    m.tags.push_back("postback:" + json::String(*postback, "payload"));
    m.published_at = at;
    m.received_at = received;
    events.emplace_back(domain::InboundMessage{std::move(m)});
    return core::Ok();
  }
  if (auto reaction = json::Object(event, "reaction")) {
    if (json::String(*reaction, "action") == "unreact") return core::Ok();
    std::string emoji = json::String(*reaction, "emoji");
    if (emoji.empty()) emoji = json::String(*reaction, "reaction");
    events.push_back(InteractionEvent(domain::InteractionKind::kReaction, author,
                                      json::String(*reaction, "mid"), emoji, at));
    return core::Ok();
  }
  if (auto delivery = json::Object(event, "delivery")) {
    if (auto mids = json::Array(*delivery, "mids")) {
      for (element item : *mids) {
        std::string_view mid;
        if (item.get(mid) == simdjson::SUCCESS) {
          events.emplace_back(domain::InboundDeliveryUpdate{
              std::string(mid), domain::DeliveryStatus::kDelivered, "", at});
        }
      }
    }
    return core::Ok();
  }
  if (auto read = json::Object(event, "read")) {
    // Everything the page sent before the watermark was read.
    events.push_back(InteractionEvent(domain::InteractionKind::kRead, author, recipient,
                                      json::String(*read, "watermark"), at));
    return core::Ok();
  }
  for (const char* ignored : {"optin", "referral", "pass_thread_control", "take_thread_control",
                              "request_thread_control", "app_roles", "policy_enforcement",
                              "policy-enforcement", "account_linking", "game_play", "standby"}) {
    if (json::Has(event, ignored)) return core::Ok();
  }
  return Bad(where, "a messaging event of no kind Parley knows");
}

// --- Instagram changes -----------------------------------------------------------------------

core::Status InstagramChange(const std::string& field, const object& value,
                             const std::string& account, const std::string& where,
                             domain::Timestamp received, Events& events) {
  if (field == "comments" || field == "live_comments") {
    domain::Message m;
    m.platform_message_id = json::String(value, "id");
    if (m.platform_message_id.empty()) return Bad(where + ".value.id", "is required");
    m.kind = domain::MessageKind::kComment;
    m.visibility = domain::Visibility::kPublic;
    m.text = json::String(value, "text");
    if (auto from = json::Object(value, "from")) {
      m.author.platform_user_id = json::String(*from, "id");
      const std::string username = json::String(*from, "username");
      if (!username.empty()) m.author.handle = "@" + username;
    }
    if (m.author.platform_user_id.empty()) m.author.platform_user_id = "unknown";
    m.direction = !account.empty() && m.author.platform_user_id == account
                      ? domain::Direction::kOutbound
                      : domain::Direction::kInbound;
    std::string media_id;
    if (auto media = json::Object(value, "media")) media_id = json::String(*media, "id");
    m.platform_thread_id = media_id;
    m.in_reply_to_platform_id = json::String(value, "parent_id");
    if (m.in_reply_to_platform_id.empty()) m.in_reply_to_platform_id = media_id;
    m.published_at = received;
    m.received_at = received;
    events.emplace_back(domain::InboundMessage{std::move(m)});
  } else if (field == "mentions") {
    // The mention's text is fetched through the API; the event names the comment or media.
    domain::Message m;
    m.platform_message_id = json::String(value, "comment_id");
    if (m.platform_message_id.empty()) m.platform_message_id = json::String(value, "media_id");
    if (m.platform_message_id.empty()) return Bad(where + ".value", "media_id is required");
    m.kind =
        json::Has(value, "comment_id") ? domain::MessageKind::kComment : domain::MessageKind::kPost;
    m.visibility = domain::Visibility::kPublic;
    m.author.platform_user_id = "unknown";
    m.platform_thread_id = json::String(value, "media_id");
    m.tags.push_back("mention");
    m.published_at = received;
    m.received_at = received;
    events.emplace_back(domain::InboundMessage{std::move(m)});
  }
  // story_insights and others: nothing for care.
  return core::Ok();
}

// --- WhatsApp --------------------------------------------------------------------------------

std::string WhatsAppText(const object& message, const std::string& type, domain::Message& m) {
  if (type == "text") {
    if (auto text = json::Object(message, "text")) return json::String(*text, "body");
  }
  if (type == "image" || type == "video" || type == "audio" || type == "document" ||
      type == "sticker") {
    if (auto media = json::Object(message, type)) {
      domain::Attachment attachment;
      attachment.kind = type;
      attachment.url = "whatsapp-media:" + json::String(*media, "id");
      attachment.mime_type = json::String(*media, "mime_type");
      attachment.name = json::String(*media, "filename");
      m.attachments.push_back(std::move(attachment));
      return json::String(*media, "caption");
    }
  }
  if (type == "location") {
    if (auto location = json::Object(message, "location")) {
      m.attachments.push_back({"location",
                               "geo:" + json::String(*location, "latitude") + "," +
                                   json::String(*location, "longitude"),
                               "", json::String(*location, "name"), 0});
      return json::String(*location, "name") + " " + json::String(*location, "address");
    }
  }
  if (type == "contacts") {
    std::string names;
    EachObject(json::Array(message, "contacts"), [&](const object& contact) {
      if (auto name = json::Object(contact, "name")) {
        if (!names.empty()) names += ", ";
        names += json::String(*name, "formatted_name");
      }
    });
    return "Shared contacts: " + names;
  }
  if (type == "interactive") {
    if (auto interactive = json::Object(message, "interactive")) {
      for (const char* kind : {"button_reply", "list_reply", "nfm_reply"}) {
        if (auto reply = json::Object(*interactive, kind)) {
          m.tags.push_back(std::string(kind) + ":" + json::String(*reply, "id"));
          auto title = json::String(*reply, "title");
          return title.empty() ? json::String(*reply, "body") : title;
        }
      }
    }
  }
  if (type == "button") {
    if (auto button = json::Object(message, "button")) return json::String(*button, "text");
  }
  if (type == "order") return "Order";
  m.tags.push_back("unsupported:" + type);
  return "";
}

core::Status WhatsAppMessage(const object& message,
                             const std::map<std::string, domain::Author>& contacts, bool echo,
                             const std::string& where, domain::Timestamp received, Events& events) {
  const std::string id = json::String(message, "id");
  const std::string type = json::String(message, "type");
  const domain::Timestamp at = TimeOf(json::Int(message, "timestamp"), received);
  if (id.empty()) return Bad(where + ".id", "is required");
  if (type == "reaction") {
    auto reaction = json::Object(message, "reaction");
    // An empty emoji takes a reaction back: nothing to record.
    if (reaction && !json::String(*reaction, "emoji").empty()) {
      domain::Author actor;
      actor.platform_user_id = json::String(message, "from");
      events.push_back(InteractionEvent(domain::InteractionKind::kReaction, std::move(actor),
                                        json::String(*reaction, "message_id"),
                                        json::String(*reaction, "emoji"), at));
    }
    return core::Ok();
  }
  if (type == "revoke" || type == "edit") {
    auto change = json::Object(message, type);
    const std::string original = change ? json::String(*change, "original_message_id") : "";
    if (original.empty()) return Bad(where + "." + type, "original_message_id is required");
    if (type == "revoke") {
      events.emplace_back(domain::InboundDeletion{original, at});
    } else {
      domain::Message scratch;
      std::string text;
      if (auto edited = json::Object(*change, "message")) {
        text = WhatsAppText(*edited, json::String(*edited, "type"), scratch);
      }
      events.emplace_back(domain::InboundEdit{original, text, at});
    }
    return core::Ok();
  }
  if (type == "system") return core::Ok();  // a number change: nothing to answer

  domain::Message m;
  m.platform_message_id = id;
  m.kind = domain::MessageKind::kDirectMessage;
  m.visibility = domain::Visibility::kPrivate;
  m.direction = echo ? domain::Direction::kOutbound : domain::Direction::kInbound;
  const std::string from = json::String(message, "from");
  if (echo) {
    m.author.platform_user_id = from;
    m.recipient_platform_user_id = json::String(message, "to");
  } else {
    auto contact = contacts.find(from);
    m.author = contact != contacts.end() ? contact->second : domain::Author{};
    m.author.platform_user_id = from;
    if (m.author.handle.empty()) m.author.handle = "+" + from;
  }
  if (m.author.platform_user_id.empty()) return Bad(where + ".from", "is required");
  m.text = WhatsAppText(message, type, m);
  if (auto context = json::Object(message, "context")) {
    m.in_reply_to_platform_id = json::String(*context, "id");
  }
  m.published_at = at;
  m.received_at = received;
  events.emplace_back(domain::InboundMessage{std::move(m)});
  return core::Ok();
}

domain::DeliveryStatus StatusOf(const std::string& status) {
  if (status == "delivered") return domain::DeliveryStatus::kDelivered;
  if (status == "read") return domain::DeliveryStatus::kRead;
  if (status == "failed") return domain::DeliveryStatus::kFailed;
  return domain::DeliveryStatus::kSent;
}

core::Status WhatsAppChange(const std::string& field, const object& value,
                            const std::string& account, const std::string& where,
                            domain::Timestamp received, Events& events) {
  if (field != "messages" && field != "smb_message_echoes") return core::Ok();  // templates, calls
  std::string phone_number_id;
  if (auto metadata = json::Object(value, "metadata")) {
    phone_number_id = json::String(*metadata, "phone_number_id");
  }
  if (!account.empty() && !phone_number_id.empty() && phone_number_id != account) {
    return core::Ok();  // another number of the same business account
  }
  std::map<std::string, domain::Author> contacts;
  EachObject(json::Array(value, "contacts"), [&](const object& contact) {
    domain::Author author;
    author.platform_user_id = json::String(contact, "wa_id");
    if (auto profile = json::Object(contact, "profile")) {
      author.display_name = json::String(*profile, "name");
    }
    author.handle = "+" + author.platform_user_id;
    contacts[author.platform_user_id] = author;
  });
  core::Status status;
  std::size_t index = 0;
  for (const auto& [key, echo] :
       {std::pair{"messages", false}, std::pair{"message_echoes", true}}) {
    index = 0;
    EachObject(json::Array(value, key), [&](const object& message) {
      if (!status.ok()) return;
      status = WhatsAppMessage(message, contacts, echo,
                               where + ".value." + key + "[" + std::to_string(index++) + "]",
                               received, events);
    });
  }
  PARLEY_TRY(status);
  EachObject(json::Array(value, "statuses"), [&](const object& s) {
    std::string error;
    EachObject(json::Array(s, "errors"), [&](const object& e) {
      if (error.empty()) error = json::String(e, "code") + " " + json::String(e, "title");
    });
    events.emplace_back(domain::InboundDeliveryUpdate{
        json::String(s, "id"), StatusOf(json::String(s, "status")), error,
        TimeOf(json::Int(s, "timestamp"), received),
        domain::ParseOutboxReference(json::String(s, "biz_opaque_callback_data"))
            .value_or(domain::OutboxId())});
  });
  return core::Ok();
}

}  // namespace

core::Result<std::vector<domain::InboundEvent>> MetaParser::Parse(const ParseInput& input) const {
  auto parsed = json::ParseBody(input.body);
  PARLEY_TRY(parsed);
  const element root = *parsed;
  object obj;
  if (root.get(obj) != simdjson::SUCCESS) return Bad("body", "expected an object");
  const std::string kind = json::String(obj, "object");
  if (kind != "page" && kind != "instagram" && kind != "whatsapp_business_account") {
    return Bad("object", kind.empty() ? "is required (page, instagram or whatsapp_business_account)"
                                      : "'" + kind + "' is not a Meta object Parley reads");
  }
  auto entries = json::Array(obj, "entry");
  if (!entries) return Bad("entry", "expected an array");
  const std::string& account = input.account.platform_account_id;

  Events events;
  std::size_t e = 0;
  for (element entry_element : *entries) {
    const std::string where = "entry[" + std::to_string(e++) + "]";
    object entry;
    if (entry_element.get(entry) != simdjson::SUCCESS) return Bad(where, "expected an object");
    const std::string entry_id = json::String(entry, "id");
    const bool whatsapp = kind == "whatsapp_business_account";
    if (!whatsapp && !account.empty() && entry_id != account) continue;  // another page's entry

    if (auto changes = json::Array(entry, "changes")) {
      std::size_t c = 0;
      for (element change_element : *changes) {
        const std::string change_where = where + ".changes[" + std::to_string(c++) + "]";
        object change;
        if (change_element.get(change) != simdjson::SUCCESS) {
          return Bad(change_where, "expected an object");
        }
        const std::string field = json::String(change, "field");
        const bool read = whatsapp || kind == "instagram" || field == "feed" || field == "mention";
        if (!read) continue;  // page settings and fields Parley does not subscribe to
        auto value = json::Object(change, "value");
        if (!value) return Bad(change_where + ".value", "expected an object");
        if (whatsapp) {
          PARLEY_TRY(
              WhatsAppChange(field, *value, account, change_where, input.received_at, events));
        } else if (kind == "instagram") {
          PARLEY_TRY(InstagramChange(field, *value, account.empty() ? entry_id : account,
                                     change_where, input.received_at, events));
        } else if (field == "feed" || field == "mention") {
          PARLEY_TRY(FeedChange(*value, entry_id, field == "mention", change_where,
                                input.received_at, events));
        }
        // Other page fields (ratings, leadgen, ...) are not subscribed to by Parley.
      }
    }
    for (const char* list : {"messaging", "standby"}) {
      if (auto messaging = json::Array(entry, list)) {
        std::size_t m = 0;
        for (element event_element : *messaging) {
          const std::string event_where = where + "." + list + "[" + std::to_string(m++) + "]";
          object event;
          if (event_element.get(event) != simdjson::SUCCESS) {
            return Bad(event_where, "expected an object");
          }
          PARLEY_TRY(MessagingEvent(event, entry_id, event_where, input.received_at, events));
        }
      }
    }
  }
  return events;
}

std::vector<std::string> AddressedIds(std::string_view body) {
  std::vector<std::string> ids;
  auto root = json::ParseBody(body);
  object obj;
  if (!root.ok() || root->get(obj) != simdjson::SUCCESS) return ids;
  EachObject(json::Array(obj, "entry"), [&](const object& entry) {
    if (auto id = json::String(entry, "id"); !id.empty()) ids.push_back(id);
    EachObject(json::Array(entry, "changes"), [&](const object& change) {
      if (auto value = json::Object(change, "value")) {
        if (auto metadata = json::Object(*value, "metadata")) {
          if (auto phone = json::String(*metadata, "phone_number_id"); !phone.empty()) {
            ids.push_back(phone);
          }
        }
      }
    });
  });
  return ids;
}

bool VerifySignature(std::string_view app_secret, std::string_view body, std::string_view header) {
  return core::ConstantTimeEquals(header,
                                  "sha256=" + core::ToHex(core::HmacSha256(app_secret, body)));
}

}  // namespace parley::channels::meta
