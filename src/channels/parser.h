// A channel connector's inbound half: turns one raw payload, exactly as the platform sent it,
// into normalised domain events. Parsers are pure (no I/O, no clock): the same payload always
// gives the same events, which is what makes replaying the inbox safe.
#pragma once

#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "parley/core/result.h"
#include "parley/domain/inbound.h"
#include "parley/domain/workspace.h"

namespace parley::channels {

struct ParseInput {
  std::string_view body;
  std::string_view headers_json;          // the headers kept with the payload
  const domain::ChannelAccount& account;  // the account the payload was addressed to
  domain::Timestamp received_at;
};

class PayloadParser {
 public:
  virtual ~PayloadParser() = default;
  // The events in the payload (possibly none: a delivery with nothing Parley keeps). Fails with
  // kInvalidArgument and a reason a person can act on when the payload is malformed; the caller
  // dead-letters it.
  virtual core::Result<std::vector<domain::InboundEvent>> Parse(const ParseInput& input) const = 0;
};

// Which parser reads which channel's payloads.
class ParserRegistry {
 public:
  void Register(domain::ChannelKind channel, std::unique_ptr<PayloadParser> parser);
  // nullptr when no parser handles the channel.
  const PayloadParser* Find(domain::ChannelKind channel) const;

  // Every parser Parley ships.
  static ParserRegistry Default();

 private:
  std::map<domain::ChannelKind, std::unique_ptr<PayloadParser>> parsers_;
};

}  // namespace parley::channels
