// Channels and the basic axes of every message.
#pragma once

#include "parley/domain/enum_names.h"

namespace parley::domain {

enum class ChannelKind { kX, kFacebook, kInstagram, kWhatsApp, kEmail, kWebChat, kGeneric };

template <>
struct EnumNames<ChannelKind> {
  static constexpr std::array<std::pair<ChannelKind, std::string_view>, 7> kNames{{
      {ChannelKind::kX, "x"},
      {ChannelKind::kFacebook, "facebook"},
      {ChannelKind::kInstagram, "instagram"},
      {ChannelKind::kWhatsApp, "whatsapp"},
      {ChannelKind::kEmail, "email"},
      {ChannelKind::kWebChat, "webchat"},
      {ChannelKind::kGeneric, "generic"},
  }};
};

enum class Direction { kInbound, kOutbound };

template <>
struct EnumNames<Direction> {
  static constexpr std::array<std::pair<Direction, std::string_view>, 2> kNames{{
      {Direction::kInbound, "inbound"},
      {Direction::kOutbound, "outbound"},
  }};
};

// Public: anyone on the platform can see it (a tweet, a page comment). Private: only the customer
// and the brand (a DM, WhatsApp, email, chat).
enum class Visibility { kPublic, kPrivate };

template <>
struct EnumNames<Visibility> {
  static constexpr std::array<std::pair<Visibility, std::string_view>, 2> kNames{{
      {Visibility::kPublic, "public"},
      {Visibility::kPrivate, "private"},
  }};
};

// What a message is on its platform; decides how a reply to it is sent.
enum class MessageKind {
  kPost,           // a top-level public post or tweet that mentions the brand
  kReply,          // a public reply to a post or tweet
  kQuote,          // a quote post
  kRepost,         // a retweet / share; usually noise
  kComment,        // a comment on a page's post (Facebook, Instagram)
  kDirectMessage,  // DM, Messenger, Instagram Direct, WhatsApp
  kEmail,
  kChat,
  kReview,  // generic sources: app stores, review sites
};

template <>
struct EnumNames<MessageKind> {
  static constexpr std::array<std::pair<MessageKind, std::string_view>, 9> kNames{{
      {MessageKind::kPost, "post"},
      {MessageKind::kReply, "reply"},
      {MessageKind::kQuote, "quote"},
      {MessageKind::kRepost, "repost"},
      {MessageKind::kComment, "comment"},
      {MessageKind::kDirectMessage, "direct_message"},
      {MessageKind::kEmail, "email"},
      {MessageKind::kChat, "chat"},
      {MessageKind::kReview, "review"},
  }};
};

// The visibility a message of this kind has by nature.
constexpr Visibility NaturalVisibility(MessageKind kind) {
  switch (kind) {
    case MessageKind::kDirectMessage:
    case MessageKind::kEmail:
    case MessageKind::kChat:
      return Visibility::kPrivate;
    default:
      return Visibility::kPublic;
  }
}

}  // namespace parley::domain
