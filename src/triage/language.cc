#include "parley/triage/language.h"

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include <algorithm>

#include "parley/triage/text.h"

namespace parley::triage {
namespace {

// CLD2 speaks a few older or longer codes; ISO 639-1 has its own.
std::string IsoCode(CLD2::Language language) {
  std::string code = CLD2::LanguageCode(language);
  if (code == "iw") return "he";
  if (code == "jw") return "jv";
  if (code == "in") return "id";
  if (code == "zh-Hant") return "zh";
  if (code == "un" || code == "xx" || code.size() > 3) return {};
  if (const auto dash = code.find('-'); dash != std::string::npos) code.resize(dash);
  return code;
}

// What CLD2 should read: words, without URLs, handles and emoji; into `out`, reused per thread.
void Readable(std::string_view text, std::string& out) {
  out.clear();
  out.reserve(text.size());
  std::size_t i = 0;
  bool at_boundary = true;
  while (i < text.size()) {
    if (at_boundary) {
      if (const std::size_t url = UrlLength(text, i); url > 0) {
        i += url;
        continue;
      }
      if (const std::size_t handle = HandleLength(text, i); handle > 0) {
        i += handle;
        continue;
      }
      if (text.substr(i, 3) == "RT ") {
        i += 3;
        continue;
      }
    }
    const char c = text[i];
    if (static_cast<unsigned char>(c) < 0x80) {
      ++i;
      if (c == '#') continue;
      at_boundary = static_cast<unsigned char>(c) <= ' ';
      out += c;
      continue;
    }
    const std::size_t start = i;
    const char32_t cp = NextMultiByteCodePoint(text, i);
    if (IsEmoji(cp) || IsEmojiModifier(cp)) {
      out += ' ';
      at_boundary = true;
      continue;
    }
    at_boundary = false;
    out.append(text.substr(start, i - start));
  }
}

// The hint in lowercase, or empty when it names no language ("und", X's "qme" for media only).
std::string HintCode(std::string_view hint) {
  if (hint.size() < 2 || hint.size() > 3 || hint == "und" || hint == "qme" || hint == "qht" ||
      hint == "zxx" || hint == "art" || hint == "qam" || hint == "qct") {
    return {};
  }
  return AsciiLowerCopy(hint);
}

}  // namespace

LanguageGuess DetectLanguage(std::string_view text, std::string_view hint) {
  LanguageGuess guess;
  // The platform's own detection (X's `lang`) saw the author's settings and history, and reading
  // the text again costs more than the rest of triage: a hint that names a language is the answer.
  if (const std::string code = HintCode(hint); !code.empty()) {
    const CLD2::Language hinted = CLD2::GetLanguageFromName(code.c_str());
    if (hinted != CLD2::UNKNOWN_LANGUAGE && !IsoCode(hinted).empty()) {
      guess.code = IsoCode(hinted);
      guess.confidence = 0.9;
      guess.from_hint = true;
      return guess;
    }
  }
  thread_local std::string readable;
  Readable(text, readable);
  CLD2::CLDHints hints{nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  CLD2::Language top3[3];
  int percent3[3];
  double scores3[3];
  int text_bytes = 0;
  bool reliable = false;
  int valid_prefix = 0;
  const CLD2::Language best = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      readable.data(), static_cast<int>(readable.size()), true, &hints, CLD2::kCLDFlagBestEffort,
      top3, percent3, scores3, nullptr, &text_bytes, &reliable, &valid_prefix);
  guess.code = IsoCode(best);
  guess.confidence = std::clamp(percent3[0] / 100.0 * (reliable ? 1.0 : 0.6), 0.0, 1.0);
  return guess;
}

}  // namespace parley::triage
