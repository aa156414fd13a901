// Identifiers. Every stored entity has a 64-bit id that is unique across the whole deployment
// (every workspace, every node), generated without a database round trip so that the live engine
// can name what it creates before its batch is written. In JSON they travel as decimal strings,
// because JavaScript numbers cannot hold 64 bits.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "parley/core/clock.h"

namespace parley::core {

// A typed id: Id<struct MessageTag> cannot be passed where Id<struct ConversationTag> is expected.
// The zero value means "none".
template <typename Tag>
class Id {
 public:
  constexpr Id() = default;
  constexpr explicit Id(std::int64_t value) : value_(value) {}

  constexpr std::int64_t value() const { return value_; }
  constexpr bool valid() const { return value_ != 0; }
  constexpr explicit operator bool() const { return valid(); }
  std::string ToString() const { return std::to_string(value_); }

  friend constexpr auto operator<=>(Id, Id) = default;

 private:
  std::int64_t value_ = 0;
};

// Parses a decimal id; nullopt for anything else (including zero and negative numbers).
std::optional<std::int64_t> ParseIdValue(std::string_view text);

template <typename IdType>
std::optional<IdType> ParseId(std::string_view text) {
  auto value = ParseIdValue(text);
  if (!value) return std::nullopt;
  return IdType(*value);
}

// Time-ordered 63-bit ids: 41 bits of milliseconds since 2025-01-01, 10 bits of node, 12 bits of
// sequence. Ids from one generator strictly increase. Thread-safe.
class IdGenerator {
 public:
  static constexpr int kNodeBits = 10;
  static constexpr int kSequenceBits = 12;
  static constexpr std::int64_t kEpochMillis = 1735689600000;  // 2025-01-01T00:00:00Z

  // REQUIRES: 0 <= node < 1024.
  IdGenerator(const Clock& clock, int node);

  std::int64_t Next();

  template <typename IdType>
  IdType NextId() {
    return IdType(Next());
  }

 private:
  const Clock& clock_;
  const std::int64_t node_;
  std::mutex mutex_;
  std::int64_t last_millis_ = 0;  // GUARDED_BY(mutex_)
  std::int64_t sequence_ = 0;     // GUARDED_BY(mutex_)
};

}  // namespace parley::core

template <typename Tag>
struct std::hash<parley::core::Id<Tag>> {
  std::size_t operator()(parley::core::Id<Tag> id) const noexcept {
    return std::hash<std::int64_t>()(id.value());
  }
};
