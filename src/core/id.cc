#include "parley/core/id.h"

#include <cassert>
#include <charconv>

namespace parley::core {

std::optional<std::int64_t> ParseIdValue(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value <= 0) return std::nullopt;
  return value;
}

IdGenerator::IdGenerator(const Clock& clock, int node) : clock_(clock), node_(node) {
  assert(node >= 0 && node < (1 << kNodeBits));
}

std::int64_t IdGenerator::Next() {
  std::lock_guard lock(mutex_);
  std::int64_t millis = ToMillis(clock_.Now()) - kEpochMillis;
  if (millis < 0) millis = 0;
  if (millis <= last_millis_) {
    // Same millisecond, or the clock went back (NTP step, simulated clock): keep counting from
    // the last time we used, borrowing from the future when the sequence runs out.
    millis = last_millis_;
    if (++sequence_ >= (1 << kSequenceBits)) {
      sequence_ = 0;
      ++millis;
    }
  } else {
    sequence_ = 0;
  }
  last_millis_ = millis;
  return (millis << (kNodeBits + kSequenceBits)) | (node_ << kSequenceBits) | sequence_;
}

}  // namespace parley::core
