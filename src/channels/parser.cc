#include "parley/channels/parser.h"

#include "parley/channels/email/email_parser.h"
#include "parley/channels/generic/generic_parser.h"
#include "parley/channels/meta/meta_parser.h"
#include "parley/channels/webchat/webchat_parser.h"
#include "parley/channels/x/x_parser.h"

namespace parley::channels {

void ParserRegistry::Register(domain::ChannelKind channel, std::unique_ptr<PayloadParser> parser) {
  parsers_[channel] = std::move(parser);
}

const PayloadParser* ParserRegistry::Find(domain::ChannelKind channel) const {
  auto it = parsers_.find(channel);
  return it == parsers_.end() ? nullptr : it->second.get();
}

ParserRegistry ParserRegistry::Default() {
  ParserRegistry registry;
  registry.Register(domain::ChannelKind::kGeneric, std::make_unique<generic::GenericParser>());
  registry.Register(domain::ChannelKind::kX, std::make_unique<x::XParser>());
  registry.Register(domain::ChannelKind::kEmail, std::make_unique<email::EmailParser>());
  registry.Register(domain::ChannelKind::kWebChat, std::make_unique<webchat::WebChatParser>());
  for (auto kind : {domain::ChannelKind::kFacebook, domain::ChannelKind::kInstagram,
                    domain::ChannelKind::kWhatsApp}) {
    registry.Register(kind, std::make_unique<meta::MetaParser>());
  }
  return registry;
}

}  // namespace parley::channels
