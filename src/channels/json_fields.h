// Lenient field access over simdjson's DOM for platform payloads: a missing field, a null, or a
// field of another type reads as "absent", because platforms add, drop and retype optional fields
// over time. Required fields are checked by the parser, which names them in its error.
#pragma once

#include <simdjson.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "parley/core/result.h"

namespace parley::channels::json {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// The refusal every parser gives: "where: reason", as kInvalidArgument.
inline core::Error Bad(const std::string& where, std::string_view reason) {
  return core::MakeError(core::ErrorCode::kInvalidArgument, where + ": " + std::string(reason));
}

// Parses a payload with this thread's parser. The element is valid until the thread parses again.
inline core::Result<element> ParseBody(std::string_view body) {
  thread_local simdjson::dom::parser parser;
  element root;
  if (auto error = parser.parse(body.data(), body.size()).get(root); error != simdjson::SUCCESS) {
    return Bad("body", std::string("is not valid JSON (") + simdjson::error_message(error) + ")");
  }
  return root;
}

inline std::optional<element> Field(const object& obj, std::string_view key) {
  element value;
  if (obj[key].get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  return value;
}

inline std::optional<object> Object(const object& obj, std::string_view key) {
  auto value = Field(obj, key);
  object out;
  if (!value || value->get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

inline std::optional<array> Array(const object& obj, std::string_view key) {
  auto value = Field(obj, key);
  array out;
  if (!value || value->get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

// A string field; numbers are read as their decimal text (ids come both ways).
inline std::string String(const object& obj, std::string_view key) {
  auto value = Field(obj, key);
  if (!value) return {};
  std::string_view text;
  if (value->get(text) == simdjson::SUCCESS) return std::string(text);
  std::int64_t number = 0;
  if (value->get(number) == simdjson::SUCCESS) return std::to_string(number);
  std::uint64_t unsigned_number = 0;
  if (value->get(unsigned_number) == simdjson::SUCCESS) return std::to_string(unsigned_number);
  return {};
}

// An integer field; decimal strings are accepted ("followers_count": "12" happens).
inline std::int64_t Int(const object& obj, std::string_view key) {
  auto value = Field(obj, key);
  if (!value) return 0;
  std::int64_t number = 0;
  if (value->get(number) == simdjson::SUCCESS) return number;
  std::string_view text;
  if (value->get(text) == simdjson::SUCCESS) {
    std::int64_t parsed = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec == std::errc() && ptr == text.data() + text.size()) return parsed;
  }
  return 0;
}

inline bool Bool(const object& obj, std::string_view key) {
  auto value = Field(obj, key);
  bool flag = false;
  return value && value->get(flag) == simdjson::SUCCESS && flag;
}

inline bool Has(const object& obj, std::string_view key) { return Field(obj, key).has_value(); }

}  // namespace parley::channels::json
