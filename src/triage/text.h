// Small, allocation-free helpers over UTF-8 social text.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace parley::triage {

// Decodes the code point at `text[i]` and advances `i`; invalid bytes decode as U+FFFD, one byte.
// ASCII, most of what social text is made of, decodes inline.
char32_t NextMultiByteCodePoint(std::string_view text, std::size_t& i);
inline char32_t NextCodePoint(std::string_view text, std::size_t& i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  return NextMultiByteCodePoint(text, i);
}

// True for the code points that social text uses as pictographs (emoji, symbols, flags' halves).
bool IsEmoji(char32_t code_point);
// Joiners and variation selectors that glue emoji sequences together.
bool IsEmojiModifier(char32_t code_point);

inline bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
std::string AsciiLowerCopy(std::string_view text);

// A URL, @handle or #hashtag token starting at `i` (after a boundary); returns its length or 0.
// Most positions start no URL: the first letter tells, inline.
std::size_t UrlLengthFrom(std::string_view text, std::size_t i);
inline std::size_t UrlLength(std::string_view text, std::size_t i) {
  if (i >= text.size()) return 0;
  const char lower = static_cast<char>(text[i] | 0x20);
  return lower == 'h' || lower == 'w' ? UrlLengthFrom(text, i) : 0;
}
std::size_t HandleLength(std::string_view text, std::size_t i);

// Hash functor for heterogeneous lookup of std::string keys by string_view.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

}  // namespace parley::triage
