// One line per normalised event, for conformance expectations and logs: what a parser made of a
// payload, readable by a person and stable enough to compare.
#pragma once

#include <string>

#include "parley/domain/inbound.h"

namespace parley::channels {

// With `digest_text`, texts appear as their length and a short SHA-256 prefix rather than
// verbatim: expectations over third-party data then check the exact text without copying it.
std::string Describe(const domain::InboundEvent& event, bool digest_text = false);

}  // namespace parley::channels
