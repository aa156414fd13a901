#include "parley/channels/x/x_parser.h"

#include <map>

#include "parley/channels/json_fields.h"
#include "parley/core/crypto.h"

namespace parley::channels::x {
namespace {

using json::array;
using json::element;
using json::object;
using Events = std::vector<domain::InboundEvent>;

using json::Bad;

domain::Timestamp TimeOf(const object& obj, domain::Timestamp fallback) {
  const std::string created = json::String(obj, "created_at");
  if (auto parsed = core::ParseTimestamp(created)) return *parsed;
  for (const char* key : {"timestamp_ms", "created_timestamp"}) {
    if (const std::int64_t ms = json::Int(obj, key); ms > 0) return core::FromMillis(ms);
  }
  return fallback;
}

domain::Author AuthorV1(const object& user) {
  domain::Author author;
  author.platform_user_id = json::String(user, "id_str");
  if (author.platform_user_id.empty()) author.platform_user_id = json::String(user, "id");
  const std::string screen_name = json::String(user, "screen_name");
  if (!screen_name.empty()) author.handle = "@" + screen_name;
  author.display_name = json::String(user, "name");
  author.followers = json::Int(user, "followers_count");
  author.verified = json::Bool(user, "verified");
  return author;
}

domain::Author AuthorV2(const object& user) {
  domain::Author author;
  author.platform_user_id = json::String(user, "id");
  const std::string username = json::String(user, "username");
  if (!username.empty()) author.handle = "@" + username;
  author.display_name = json::String(user, "name");
  if (auto metrics = json::Object(user, "public_metrics")) {
    author.followers = json::Int(*metrics, "followers_count");
  }
  author.verified = json::Bool(user, "verified");
  return author;
}

void AddMediaV1(const object& tweet, domain::Message& m) {
  std::optional<object> entities = json::Object(tweet, "extended_entities");
  if (auto extended = json::Object(tweet, "extended_tweet")) {
    if (auto inner = json::Object(*extended, "extended_entities")) entities = inner;
  }
  if (!entities) entities = json::Object(tweet, "entities");
  if (!entities) return;
  auto media = json::Array(*entities, "media");
  if (!media) return;
  for (element item : *media) {
    object medium;
    if (item.get(medium) != simdjson::SUCCESS) continue;
    domain::Attachment attachment;
    attachment.kind = json::String(medium, "type");
    attachment.url = json::String(medium, "media_url_https");
    if (attachment.url.empty()) attachment.url = json::String(medium, "url");
    if (!attachment.url.empty()) m.attachments.push_back(std::move(attachment));
  }
}

// A v1.1 Tweet (Account Activity deliveries, v1.1 responses, archives).
core::Result<domain::Message> TweetV1(const object& tweet, const std::string& brand,
                                      const std::string& where, domain::Timestamp received) {
  domain::Message m;
  m.platform_message_id = json::String(tweet, "id_str");
  if (m.platform_message_id.empty()) m.platform_message_id = json::String(tweet, "id");
  auto user = json::Object(tweet, "user");
  if (m.platform_message_id.empty() || !user) {
    return Bad(where, "a Tweet needs id_str and a user object");
  }
  m.author = AuthorV1(*user);
  if (m.author.platform_user_id.empty()) return Bad(where + ".user", "id_str is required");

  m.text = json::String(tweet, "text");
  if (auto full = json::String(tweet, "full_text"); !full.empty()) m.text = full;
  if (auto extended = json::Object(tweet, "extended_tweet")) {
    if (auto full = json::String(*extended, "full_text"); !full.empty()) m.text = full;
  }
  m.language = json::String(tweet, "lang");
  if (m.language == "und") m.language.clear();
  m.published_at = TimeOf(tweet, received);
  m.received_at = received;
  m.visibility = domain::Visibility::kPublic;
  m.direction = m.author.platform_user_id == brand ? domain::Direction::kOutbound
                                                   : domain::Direction::kInbound;

  m.in_reply_to_platform_id = json::String(tweet, "in_reply_to_status_id_str");
  m.quoted_platform_id = json::String(tweet, "quoted_status_id_str");
  if (auto retweeted = json::Object(tweet, "retweeted_status")) {
    m.kind = domain::MessageKind::kRepost;
    m.quoted_platform_id = json::String(*retweeted, "id_str");
  } else if (!m.in_reply_to_platform_id.empty()) {
    m.kind = domain::MessageKind::kReply;
  } else if (!m.quoted_platform_id.empty() || json::Bool(tweet, "is_quote_status")) {
    m.kind = domain::MessageKind::kQuote;
  } else {
    m.kind = domain::MessageKind::kPost;
  }
  m.metrics.likes = json::Int(tweet, "favorite_count");
  m.metrics.reposts = json::Int(tweet, "retweet_count");
  m.metrics.replies = json::Int(tweet, "reply_count");
  m.metrics.quotes = json::Int(tweet, "quote_count");
  AddMediaV1(tweet, m);
  return m;
}

using UserIndex = std::map<std::string, object>;

UserIndex IndexUsers(const object& includes) {
  UserIndex users;
  if (auto list = json::Array(includes, "users")) {
    for (element item : *list) {
      object user;
      if (item.get(user) == simdjson::SUCCESS) users.emplace(json::String(user, "id"), user);
    }
  }
  return users;
}

// An API v2 post (X Activity API payloads, v2 responses).
core::Result<domain::Message> PostV2(const object& post, const UserIndex& users,
                                     const std::string& brand, const std::string& where,
                                     domain::Timestamp received) {
  domain::Message m;
  m.platform_message_id = json::String(post, "id");
  const std::string author_id = json::String(post, "author_id");
  if (m.platform_message_id.empty() || author_id.empty()) {
    return Bad(where, "a post needs id and author_id (request it with expansions=author_id)");
  }
  auto user = users.find(author_id);
  if (user != users.end()) {
    m.author = AuthorV2(user->second);
  } else {
    m.author.platform_user_id = author_id;
  }
  m.text = json::String(post, "text");
  if (auto note = json::Object(post, "note_tweet")) {
    if (auto full = json::String(*note, "text"); !full.empty()) m.text = full;
  }
  m.language = json::String(post, "lang");
  if (m.language == "und") m.language.clear();
  m.platform_thread_id = json::String(post, "conversation_id");
  m.published_at = TimeOf(post, received);
  m.received_at = received;
  m.visibility = domain::Visibility::kPublic;
  m.direction = author_id == brand ? domain::Direction::kOutbound : domain::Direction::kInbound;
  m.kind = domain::MessageKind::kPost;
  if (auto references = json::Array(post, "referenced_tweets")) {
    for (element item : *references) {
      object reference;
      if (item.get(reference) != simdjson::SUCCESS) continue;
      const std::string type = json::String(reference, "type");
      const std::string id = json::String(reference, "id");
      if (type == "replied_to") {
        m.in_reply_to_platform_id = id;
        m.kind = domain::MessageKind::kReply;
      } else if (type == "quoted") {
        m.quoted_platform_id = id;
        if (m.kind == domain::MessageKind::kPost) m.kind = domain::MessageKind::kQuote;
      } else if (type == "retweeted") {
        m.quoted_platform_id = id;
        m.kind = domain::MessageKind::kRepost;
      }
    }
  }
  if (auto metrics = json::Object(post, "public_metrics")) {
    m.metrics.likes = json::Int(*metrics, "like_count");
    m.metrics.reposts = json::Int(*metrics, "retweet_count");
    m.metrics.replies = json::Int(*metrics, "reply_count");
    m.metrics.quotes = json::Int(*metrics, "quote_count");
    m.metrics.views = json::Int(*metrics, "impression_count");
  }
  return m;
}

// A direct message in the v1.1 event shape (Account Activity), with the delivery's "users".
core::Result<domain::Message> DirectMessageV1(const object& event, const object* users,
                                              const std::string& brand, const std::string& where,
                                              domain::Timestamp received) {
  auto create = json::Object(event, "message_create");
  if (!create) return Bad(where, "a message_create event needs a message_create object");
  domain::Message m;
  m.platform_message_id = json::String(event, "id");
  const std::string sender = json::String(*create, "sender_id");
  if (m.platform_message_id.empty() || sender.empty()) {
    return Bad(where, "a direct message needs id and message_create.sender_id");
  }
  m.kind = domain::MessageKind::kDirectMessage;
  m.visibility = domain::Visibility::kPrivate;
  m.direction = sender == brand ? domain::Direction::kOutbound : domain::Direction::kInbound;
  m.author.platform_user_id = sender;
  if (auto target = json::Object(*create, "target")) {
    m.recipient_platform_user_id = json::String(*target, "recipient_id");
  }
  if (users != nullptr) {
    if (auto user = json::Object(*users, sender)) {
      // Account Activity gives v1.1 users; the X Activity API wraps v2 users in "data".
      if (auto v2 = json::Object(*user, "data")) {
        m.author = AuthorV2(*v2);
      } else {
        m.author = AuthorV1(*user);
      }
      if (m.author.platform_user_id.empty()) m.author.platform_user_id = sender;
    }
  }
  m.published_at = TimeOf(event, received);
  m.received_at = received;
  if (auto data = json::Object(*create, "message_data")) {
    m.text = json::String(*data, "text");
    if (auto attachment = json::Object(*data, "attachment")) {
      if (auto media = json::Object(*attachment, "media")) {
        domain::Attachment a;
        a.kind = json::String(*media, "type");
        a.url = json::String(*media, "media_url_https");
        if (!a.url.empty()) m.attachments.push_back(std::move(a));
      }
    }
  }
  return m;
}

// A direct message in the v2 shape (dm_events, X Activity API dm.* payloads).
core::Result<domain::Message> DirectMessageV2(const object& event, const UserIndex& users,
                                              const std::string& brand, const std::string& where,
                                              domain::Timestamp received) {
  domain::Message m;
  m.platform_message_id = json::String(event, "id");
  const std::string sender = json::String(event, "sender_id");
  if (m.platform_message_id.empty() || sender.empty()) {
    return Bad(where,
               "a direct message needs id and sender_id (request dm_event.fields=sender_id)");
  }
  m.kind = domain::MessageKind::kDirectMessage;
  m.visibility = domain::Visibility::kPrivate;
  m.direction = sender == brand ? domain::Direction::kOutbound : domain::Direction::kInbound;
  auto user = users.find(sender);
  if (user != users.end()) {
    m.author = AuthorV2(user->second);
  } else {
    m.author.platform_user_id = sender;
  }
  m.text = json::String(event, "text");
  m.platform_thread_id = json::String(event, "dm_conversation_id");
  m.published_at = TimeOf(event, received);
  m.received_at = received;
  return m;
}

domain::InboundEvent Interaction(domain::InteractionKind kind, domain::Author actor,
                                 std::string target, domain::Timestamp at) {
  domain::Interaction interaction;
  interaction.kind = kind;
  interaction.actor = std::move(actor);
  interaction.target_platform_id = std::move(target);
  interaction.at = at;
  return domain::InboundInteraction{std::move(interaction)};
}

// Calls `each` for every object of the array field `key`, with its path for errors.
template <typename Each>
core::Status ForEach(const object& root, std::string_view key, Each each) {
  auto list = json::Array(root, key);
  if (!list) return Bad(std::string(key), "expected an array");
  std::size_t index = 0;
  for (element item : *list) {
    const std::string where = std::string(key) + "[" + std::to_string(index++) + "]";
    object obj;
    if (item.get(obj) != simdjson::SUCCESS) return Bad(where, "expected an object");
    PARLEY_TRY(each(obj, where));
  }
  return core::Ok();
}

// Account Activity API.
core::Result<Events> AccountActivity(const object& root, const std::string& brand,
                                     domain::Timestamp received) {
  Events events;
  bool understood = false;
  if (json::Has(root, "tweet_create_events")) {
    understood = true;
    PARLEY_TRY(ForEach(root, "tweet_create_events",
                       [&](const object& tweet, const std::string& w) -> core::Status {
                         auto m = TweetV1(tweet, brand, w, received);
                         PARLEY_TRY(m);
                         events.emplace_back(domain::InboundMessage{std::move(m).value()});
                         return core::Ok();
                       }));
  }
  if (json::Has(root, "direct_message_events")) {
    understood = true;
    auto users = json::Object(root, "users");
    PARLEY_TRY(ForEach(root, "direct_message_events",
                       [&](const object& event, const std::string& w) -> core::Status {
                         if (json::String(event, "type") != "message_create") return core::Ok();
                         auto m =
                             DirectMessageV1(event, users ? &*users : nullptr, brand, w, received);
                         PARLEY_TRY(m);
                         events.emplace_back(domain::InboundMessage{std::move(m).value()});
                         return core::Ok();
                       }));
  }
  if (json::Has(root, "favorite_events")) {
    understood = true;
    PARLEY_TRY(ForEach(
        root, "favorite_events", [&](const object& event, const std::string& w) -> core::Status {
          auto user = json::Object(event, "user");
          auto status = json::Object(event, "favorited_status");
          if (!user || !status) return (Bad(w, "needs user and favorited_status"));
          events.push_back(Interaction(domain::InteractionKind::kLike, AuthorV1(*user),
                                       json::String(*status, "id_str"), TimeOf(event, received)));
          return core::Ok();
        }));
  }
  for (const auto& [key, kind] :
       {std::pair{"follow_events", domain::InteractionKind::kFollow},
        std::pair{"unfollow_events", domain::InteractionKind::kUnfollow}}) {
    if (!json::Has(root, key)) continue;
    understood = true;
    const auto interaction_kind = kind;
    PARLEY_TRY(ForEach(root, key, [&](const object& event, const std::string& w) -> core::Status {
      auto source = json::Object(event, "source");
      auto target = json::Object(event, "target");
      if (!source || !target) return (Bad(w, "needs source and target"));
      events.push_back(Interaction(interaction_kind, AuthorV1(*source), json::String(*target, "id"),
                                   TimeOf(event, received)));
      return core::Ok();
    }));
  }
  if (json::Has(root, "tweet_delete_events")) {
    understood = true;
    PARLEY_TRY(ForEach(root, "tweet_delete_events",
                       [&](const object& event, const std::string& w) -> core::Status {
                         auto status = json::Object(event, "status");
                         if (!status || json::String(*status, "id").empty()) {
                           return (Bad(w, "needs status.id"));
                         }
                         events.emplace_back(domain::InboundDeletion{json::String(*status, "id"),
                                                                     TimeOf(event, received)});
                         return core::Ok();
                       }));
  }
  if (json::Has(root, "direct_message_mark_read_events")) {
    understood = true;
    PARLEY_TRY(ForEach(root, "direct_message_mark_read_events",
                       [&](const object& event, const std::string&) -> core::Status {
                         const std::string last = json::String(event, "last_read_event_id");
                         if (!last.empty() && json::String(event, "sender_id") != brand) {
                           events.emplace_back(domain::InboundDeliveryUpdate{
                               last, domain::DeliveryStatus::kRead, "", TimeOf(event, received)});
                         }
                         return core::Ok();
                       }));
  }
  // Nothing for customer care, by design.
  for (const char* key :
       {"direct_message_indicate_typing_events", "block_events", "unblock_events", "mute_events",
        "unmute_events", "user_event", "tweet_unfavorite_events"}) {
    if (json::Has(root, key)) understood = true;
  }
  if (!understood) {
    return Bad("body", "an Account Activity delivery with no event type Parley knows");
  }
  return events;
}

// X Activity API.
core::Result<Events> ActivityEvent(const object& data, domain::Timestamp received) {
  const std::string type = json::String(data, "event_type");
  std::string brand;
  if (auto filter = json::Object(data, "filter")) brand = json::String(*filter, "user_id");
  UserIndex users;
  if (auto includes = json::Object(data, "includes")) users = IndexUsers(*includes);
  auto payload = json::Object(data, "payload");
  if (!payload) return Bad("data.payload", "expected an object");
  Events events;
  if (type == "post.create" || type == "post.mention.create" || type == "post.reply.create" ||
      type == "post.quote.create" || type == "post.repost.create") {
    auto m = PostV2(*payload, users, brand, "data.payload", received);
    PARLEY_TRY(m);
    events.emplace_back(domain::InboundMessage{std::move(m).value()});
  } else if (type == "post.delete") {
    const std::string id = json::String(*payload, "id");
    if (id.empty()) return Bad("data.payload.id", "is required");
    events.emplace_back(domain::InboundDeletion{id, TimeOf(*payload, received)});
  } else if (type == "dm.received" || type == "dm.sent") {
    // The payload is an Account Activity style DM delivery.
    if (json::Has(*payload, "direct_message_events")) {
      return AccountActivity(*payload, brand, received);
    }
    auto m = DirectMessageV2(*payload, users, brand, "data.payload", received);
    PARLEY_TRY(m);
    events.emplace_back(domain::InboundMessage{std::move(m).value()});
  } else if (type == "like.create") {
    // The liker is the subscribed user for outbound likes, otherwise the included user.
    domain::Author actor;
    actor.platform_user_id = json::String(*payload, "liking_user_id");
    if (actor.platform_user_id.empty()) {
      std::string direction;
      if (auto filter = json::Object(data, "filter"))
        direction = json::String(*filter, "direction");
      actor.platform_user_id = direction == "outbound" ? brand : "";
    }
    if (auto user = users.find(actor.platform_user_id); user != users.end()) {
      actor = AuthorV2(user->second);
    }
    events.push_back(Interaction(domain::InteractionKind::kLike, std::move(actor),
                                 json::String(*payload, "liked_tweet_id"),
                                 TimeOf(*payload, received)));
  } else if (type == "follow.follow" || type == "follow.unfollow") {
    domain::Author actor;
    std::string target;
    // Users come wrapped as {"data": user}, like a v2 user lookup.
    auto user_in = [](const object& parent, std::string_view key) -> std::optional<object> {
      auto wrapper = json::Object(parent, key);
      if (!wrapper) return std::nullopt;
      if (auto inner = json::Object(*wrapper, "data")) return inner;
      return wrapper;
    };
    if (auto source = user_in(*payload, "source")) actor = AuthorV2(*source);
    if (auto followed = user_in(*payload, "target")) target = json::String(*followed, "id");
    events.push_back(Interaction(type == "follow.follow" ? domain::InteractionKind::kFollow
                                                         : domain::InteractionKind::kUnfollow,
                                 std::move(actor), std::move(target), TimeOf(*payload, received)));
  } else if (type.starts_with("profile.") || type.starts_with("spaces.") ||
             type.starts_with("broadcast.") || type.starts_with("news.") ||
             type.starts_with("chat.") || type == "oauth.revoke") {
    // Nothing for customer care (chat.* is end-to-end encrypted: its content is not delivered).
  } else {
    return Bad("data.event_type", "unknown X Activity API event '" + type + "'");
  }
  return events;
}

// API v2 responses: posts, or DM events.
core::Result<Events> V2Response(const object& root, const std::string& brand,
                                domain::Timestamp received) {
  UserIndex users;
  if (auto includes = json::Object(root, "includes")) users = IndexUsers(*includes);
  auto data = json::Field(root, "data");
  std::vector<std::pair<object, std::string>> items;
  object single;
  array many;
  if (data->get(single) == simdjson::SUCCESS) {
    items.emplace_back(single, "data");
  } else if (data->get(many) == simdjson::SUCCESS) {
    std::size_t index = 0;
    for (element item : many) {
      object obj;
      const std::string where = "data[" + std::to_string(index++) + "]";
      if (item.get(obj) != simdjson::SUCCESS) return Bad(where, "expected an object");
      items.emplace_back(obj, where);
    }
  } else {
    return Bad("data", "expected an object or an array");
  }
  Events events;
  for (const auto& [item, where] : items) {
    if (json::Has(item, "event_type")) {
      if (json::String(item, "event_type") != "MessageCreate") continue;  // joins, leaves
      auto m = DirectMessageV2(item, users, brand, where, received);
      PARLEY_TRY(m);
      events.emplace_back(domain::InboundMessage{std::move(m).value()});
    } else if (json::Has(item, "author_id") || json::Has(item, "text")) {
      auto m = PostV2(item, users, brand, where, received);
      PARLEY_TRY(m);
      events.emplace_back(domain::InboundMessage{std::move(m).value()});
    } else if (json::Has(item, "username")) {
      return Bad(where, "a user object, not posts or messages");
    } else if (json::Has(item, "dm_event_id")) {
      return Bad(where, "the answer to sending a DM, not an event");
    } else {
      return Bad(where, "neither a post nor a DM event");
    }
  }
  return events;
}

}  // namespace

core::Result<std::vector<domain::InboundEvent>> XParser::Parse(const ParseInput& input) const {
  auto parsed = json::ParseBody(input.body);
  PARLEY_TRY(parsed);
  const element root = *parsed;
  const std::string& brand = input.account.platform_account_id;
  object obj;
  array list;
  if (root.get(obj) == simdjson::SUCCESS) {
    if (json::Has(obj, "for_user_id")) {
      return AccountActivity(obj, json::String(obj, "for_user_id"), input.received_at);
    }
    if (json::Has(obj, "user_event")) return Events{};  // an app's access revoked: nothing to do
    // v1.1 direct message endpoints: {"event": {...}} and {"events": [...]}.
    if (auto event = json::Object(obj, "event"); event && json::Has(*event, "message_create")) {
      auto m = DirectMessageV1(*event, nullptr, brand, "event", input.received_at);
      PARLEY_TRY(m);
      return Events{domain::InboundMessage{std::move(m).value()}};
    }
    if (json::Has(obj, "events") && !json::Has(obj, "data")) {
      Events events;
      PARLEY_TRY(
          ForEach(obj, "events", [&](const object& event, const std::string& w) -> core::Status {
            if (json::String(event, "type") != "message_create") return core::Ok();
            auto m = DirectMessageV1(event, nullptr, brand, w, input.received_at);
            PARLEY_TRY(m);
            events.emplace_back(domain::InboundMessage{std::move(m).value()});
            return core::Ok();
          }));
      return events;
    }
    if (json::Has(obj, "id_str") && json::Has(obj, "screen_name")) {
      return Bad("body", "a user object, not Tweets or messages");
    }
    if (auto data = json::Object(obj, "data");
        data && json::Has(*data, "event_type") && json::Has(*data, "payload")) {
      return ActivityEvent(*data, input.received_at);
    }
    if (json::Has(obj, "data")) return V2Response(obj, brand, input.received_at);
    if (auto meta = json::Object(obj, "meta"); meta && json::Int(*meta, "result_count") == 0) {
      return Events{};  // an empty page of results
    }
    if (json::Has(obj, "errors")) return Bad("body", "an X API error response, with no data");
    if (json::Has(obj, "id_str") && json::Has(obj, "user")) {
      auto m = TweetV1(obj, brand, "tweet", input.received_at);
      PARLEY_TRY(m);
      return Events{domain::InboundMessage{std::move(m).value()}};
    }
    if (json::Has(obj, "verb") && json::Has(obj, "actor")) {
      return Bad("body", "Activity Streams (Gnip) format is not supported; send v1.1 or v2 JSON");
    }
  } else if (root.get(list) == simdjson::SUCCESS) {
    Events events;
    std::size_t index = 0;
    for (element item : list) {
      const std::string where = "[" + std::to_string(index++) + "]";
      object tweet;
      if (item.get(tweet) != simdjson::SUCCESS) return Bad(where, "expected a Tweet object");
      auto m = TweetV1(tweet, brand, where, input.received_at);
      PARLEY_TRY(m);
      events.emplace_back(domain::InboundMessage{std::move(m).value()});
    }
    return events;
  }
  return Bad("body",
             "not an X payload: expected an Account Activity delivery, an X Activity API event, "
             "an API v2 response or v1.1 Tweets");
}

std::string AddressedUserId(std::string_view body) {
  auto root = json::ParseBody(body);
  object obj;
  if (!root.ok() || root->get(obj) != simdjson::SUCCESS) return {};
  if (auto user = json::String(obj, "for_user_id"); !user.empty()) return user;
  if (auto data = json::Object(obj, "data")) {
    if (auto filter = json::Object(*data, "filter")) return json::String(*filter, "user_id");
  }
  return {};
}

std::string CrcResponseToken(std::string_view consumer_secret, std::string_view crc_token) {
  return "sha256=" + core::Base64Encode(core::HmacSha256(consumer_secret, crc_token));
}

bool VerifySignature(std::string_view consumer_secret, std::string_view body,
                     std::string_view header) {
  return core::ConstantTimeEquals(header, CrcResponseToken(consumer_secret, body));
}

}  // namespace parley::channels::x
