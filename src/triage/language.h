// Language of short social text with CLD2, after taking out what carries no language (URLs,
// @handles, hashtags' signs, emoji).
#pragma once

#include <string>
#include <string_view>

namespace parley::triage {

struct LanguageGuess {
  std::string code;  // ISO 639-1 ("en", "pt", "zh"); empty when it cannot be told
  double confidence = 0;
  bool from_hint = false;  // the platform said so and the text did not contradict it
};

// `hint` is what the platform reported (X's `lang`), ISO 639-1 or empty; "und" and the like are
// ignored. A hint that names a language is taken as the answer without reading the text.
LanguageGuess DetectLanguage(std::string_view text, std::string_view hint = {});

}  // namespace parley::triage
