// One table per enum gives its wire names; ToString and ParseEnum read it. Adding a value means
// adding one row, and a missing row is caught by enum_names_test.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace parley::domain {

// Specialised next to each enum: static constexpr std::array<std::pair<E, std::string_view>, N>
// kNames.
template <typename E>
struct EnumNames;

template <typename E>
std::string_view ToString(E value) requires requires {
  EnumNames<E>::kNames;
}
{
  for (const auto& [candidate, name] : EnumNames<E>::kNames) {
    if (candidate == value) return name;
  }
  return "unknown";
}

template <typename E>
std::optional<E> ParseEnum(std::string_view text) {
  for (const auto& [candidate, name] : EnumNames<E>::kNames) {
    if (name == text) return candidate;
  }
  return std::nullopt;
}

}  // namespace parley::domain
