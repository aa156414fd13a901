// The generic JSON source (PRODUCT.md C1.7): review sites, forums, app stores, and any system that
// can post JSON. The format is documented in docs/channels/generic.md.
#pragma once

#include "parley/channels/parser.h"

namespace parley::channels::generic {

class GenericParser final : public PayloadParser {
 public:
  // Accepts one message object, {"messages": [...]}, or a JSON array of message objects.
  core::Result<std::vector<domain::InboundEvent>> Parse(const ParseInput& input) const override;
};

}  // namespace parley::channels::generic
