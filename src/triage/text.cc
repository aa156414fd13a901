#include "parley/triage/text.h"

namespace parley::triage {

char32_t NextMultiByteCodePoint(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  int length = 0;
  char32_t code_point = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + static_cast<std::size_t>(length) > text.size()) {
    ++i;
    return 0xFFFD;
  }
  for (int k = 1; k < length; ++k) {
    const unsigned char next = byte(i + static_cast<std::size_t>(k));
    if ((next & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    code_point = (code_point << 6) | (next & 0x3F);
  }
  i += static_cast<std::size_t>(length);
  return code_point;
}

bool IsEmoji(char32_t cp) {
  return (cp >= 0x1F000 && cp <= 0x1FAFF) ||  // pictographs, emoticons, transport, flags
         (cp >= 0x2600 && cp <= 0x27BF) ||    // miscellaneous symbols, dingbats (❤ ☺ ✔)
         (cp >= 0x2190 && cp <= 0x21FF) ||    // arrows
         (cp >= 0x2300 && cp <= 0x23FF) ||    // technical (⌛ ⏰)
         (cp >= 0x2B00 && cp <= 0x2BFF) ||    // ⭐ ⬆
         cp == 0x00A9 || cp == 0x00AE || cp == 0x203C || cp == 0x2049 || cp == 0x2122 ||
         cp == 0x2139 || cp == 0x3030 || cp == 0x303D || cp == 0x3297 || cp == 0x3299;
}

bool IsEmojiModifier(char32_t cp) {
  return cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1F3FB && cp <= 0x1F3FF);
}

std::string AsciiLowerCopy(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

std::size_t UrlLengthFrom(std::string_view text, std::size_t i) {
  const std::string_view rest = text.substr(i);
  const auto starts_with = [&](std::string_view scheme) {
    if (rest.size() <= scheme.size()) return false;
    for (std::size_t k = 0; k < scheme.size(); ++k) {
      if (AsciiLower(rest[k]) != scheme[k]) return false;
    }
    return true;
  };
  std::size_t prefix = 0;
  if (rest.empty() || (AsciiLower(rest[0]) != 'h' && AsciiLower(rest[0]) != 'w')) return 0;
  for (std::string_view scheme : {"https://", "http://", "www."}) {
    if (starts_with(scheme)) {
      prefix = scheme.size();
      break;
    }
  }
  if (prefix == 0) return 0;
  std::size_t end = prefix;
  while (end < rest.size() && static_cast<unsigned char>(rest[end]) > ' ') ++end;
  return end;
}

std::size_t HandleLength(std::string_view text, std::size_t i) {
  if (i >= text.size() || text[i] != '@') return 0;
  std::size_t end = i + 1;
  while (end < text.size() && (IsAsciiAlnum(text[end]) || text[end] == '_')) ++end;
  return end - i > 1 ? end - i : 0;
}

}  // namespace parley::triage
