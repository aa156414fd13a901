// A sender speaks one platform's published REST API: it turns an outbox item into a request and
// the platform's answer into a SendResult. Senders hold no state between calls; the dispatcher
// decides what a result means for the item (dispatcher.h).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "parley/domain/outbound.h"
#include "parley/domain/workspace.h"
#include "parley/http/client.h"

namespace parley::outbound {

struct SendResult {
  enum class Kind {
    kSent,         // the platform accepted it; platform_id names what it created (if anything)
    kRetry,        // not done, and trying again later may work (rate limits, outages)
    kFailed,       // refused for good: expired token, closed window, invalid request
    kUnconfirmed,  // no answer after the request left: it may have been done; never repeated
  };
  Kind kind = Kind::kSent;
  std::string platform_id;
  // Stable codes: rate_limited, token_expired, window_closed, rejected, unreachable,
  // server_error, unsupported, not_configured, unconfirmed.
  std::string code;
  std::string reason;                         // the platform's own words where it gave any
  std::optional<core::Duration> retry_after;  // what the platform asked us to wait

  static SendResult Sent(std::string platform_id) {
    return {Kind::kSent, std::move(platform_id), "", "", std::nullopt};
  }
  static SendResult Failed(std::string code, std::string reason) {
    return {Kind::kFailed, "", std::move(code), std::move(reason), std::nullopt};
  }
};

class Sender {
 public:
  virtual ~Sender() = default;
  // REQUIRES: account.kind is one this sender was registered for.
  virtual SendResult Send(const domain::OutboxItem& item, const domain::ChannelAccount& account,
                          core::Timestamp now) = 0;
};

// The senders by channel kind.
class SenderRegistry {
 public:
  void Register(domain::ChannelKind kind, std::shared_ptr<Sender> sender) {
    senders_[kind] = std::move(sender);
  }
  Sender* Find(domain::ChannelKind kind) const {
    auto found = senders_.find(kind);
    return found == senders_.end() ? nullptr : found->second.get();
  }

 private:
  std::map<domain::ChannelKind, std::shared_ptr<Sender>> senders_;
};

// X, Facebook, Instagram and WhatsApp, all over `client` (which must outlive the registry).
SenderRegistry SocialSenders(http::HttpClient& client);

}  // namespace parley::outbound
