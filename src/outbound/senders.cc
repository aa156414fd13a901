#include "parley/outbound/meta_sender.h"
#include "parley/outbound/x_sender.h"

namespace parley::outbound {

using domain::ChannelKind;

SenderRegistry SocialSenders(http::HttpClient& client) {
  SenderRegistry registry;
  auto meta = std::make_shared<MetaSender>(client);
  registry.Register(ChannelKind::kX, std::make_shared<XSender>(client));
  registry.Register(ChannelKind::kFacebook, meta);
  registry.Register(ChannelKind::kInstagram, meta);
  registry.Register(ChannelKind::kWhatsApp, meta);
  return registry;
}

}  // namespace parley::outbound
