#include "parley/triage/sentiment.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

#include "parley/triage/lexicons.h"

namespace parley::triage {
namespace {

// The constants of VADER's paper.
constexpr double kBoosterIncrement = 0.293;
constexpr double kCapsIncrement = 0.733;
constexpr double kNegationScalar = -0.74;
constexpr double kNormalisationAlpha = 15;
constexpr double kAfinnWeight = 0.8 * 0.75;
constexpr double kEagerValence = 1.5;  // "can't wait": VADER's rating of "eager"

// Calls fn(fields) for every line of a tab-separated blob.
template <typename Fn>
void ForEachLine(std::string_view blob, Fn&& fn) {
  while (!blob.empty()) {
    const std::size_t end = blob.find('\n');
    std::string_view line = blob.substr(0, end);
    blob = end == std::string_view::npos ? std::string_view() : blob.substr(end + 1);
    if (line.empty()) continue;
    std::string_view fields[3];
    std::size_t count = 0;
    while (count < 3) {
      const std::size_t tab = line.find('\t');
      fields[count++] = line.substr(0, tab);
      if (tab == std::string_view::npos) break;
      line = line.substr(tab + 1);
    }
    fn(fields, count);
  }
}

double ParseDouble(std::string_view text) {
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

bool IsAsciiPunctuation(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

// Python's str.isupper on what VADER sees: some capital, no small letter.
bool IsShouted(std::string_view token) {
  bool upper = false;
  for (char c : token) {
    if (c >= 'a' && c <= 'z') return false;
    if (c >= 'A' && c <= 'Z') upper = true;
  }
  return upper;
}

// "like" comparing or filling ("feels like", "looks like a storm", "something like that",
// "it's like", "Like, why?") rather than liking ("I like it", "we really like the new app"):
// the word before says which, and a determiner after it, unless someone does the liking.
template <typename Tokens>
bool LikeIsNotLiking(const Tokens& tokens, std::size_t i) {
  static constexpr std::array<std::string_view, 44> kBefore{
      "feel",  "feels",  "felt",   "feeling",   "look",     "looks",   "looked",     "looking",
      "seem",  "seems",  "seemed", "sound",     "sounds",   "sounded", "smell",      "smells",
      "taste", "tastes", "just",   "something", "anything", "nothing", "everything", "more",
      "less",  "things", "stuff",  "is",        "was",      "are",     "were",       "be",
      "been",  "it's",   "its",    "that's",    "thats",    "people",  "someone",    "anyone",
      "would", "i'd",    "we'd",   "like"};
  static constexpr std::array<std::string_view, 22> kAfter{
      "a",   "an",    "the", "this", "that", "these", "those", "my", "your", "his",  "her",
      "our", "their", "him", "them", "me",   "us",    "it",    "he", "she",  "when", "crazy"};
  static constexpr std::array<std::string_view, 18> kLikers{
      "i",  "we",    "you",  "they",   "he",    "she",  "really",  "also",  "still",
      "do", "don't", "dont", "didn't", "didnt", "does", "doesn't", "would", "who"};
  const auto in = [](const auto& list, std::string_view word) {
    return std::find(list.begin(), list.end(), word) != list.end();
  };
  if (tokens[i].after_i) return false;  // "I like ..."
  if (i == 0) return true;
  const std::string_view before = tokens[i - 1].lower;
  if (in(kBefore, before)) return true;
  return i + 1 < tokens.size() && in(kAfter, tokens[i + 1].lower) && !in(kLikers, before);
}

// "Super Bowl", "Best Buy", "Manchester United": a capitalised word inside a name, not the first
// word of the text, beside another capitalised word (not the first either) that carries no
// sentiment of its own.
bool IsTitle(std::string_view word) {
  return word.size() > 1 && word[0] >= 'A' && word[0] <= 'Z' &&
         std::all_of(word.begin() + 1, word.end(),
                     [](char c) { return !(c >= 'A' && c <= 'Z'); }) &&
         std::any_of(word.begin() + 1, word.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// "PGA", "NBA": capitals only, a few letters, and not a shouted everyday word ("SO Happy", "OMG
// Amazing"). Before a capitalised word it starts a name ("PGA Championship", "NFL Draft").
bool IsAcronym(std::string_view word) {
  static constexpr std::array<std::string_view, 40> kShouted{
      "THE", "MY",  "IS",   "ARE",  "AND", "OMG", "YOU", "YOUR", "WE",   "OUR",
      "IT",  "ITS", "THIS", "THAT", "WAS", "BE",  "TO",  "OF",   "IN",   "ON",
      "AT",  "FOR", "ME",   "HE",   "SHE", "ALL", "ONE", "JUST", "LIKE", "OH",
      "WOW", "YES", "NO",   "OK",   "LOL", "AM",  "BUT", "OR",   "WHAT", "HOW"};
  return word.size() >= 2 && word.size() <= 5 &&
         std::all_of(word.begin(), word.end(), [](char c) { return c >= 'A' && c <= 'Z'; }) &&
         std::find(kShouted.begin(), kShouted.end(), word) == kShouted.end();
}

}  // namespace

const SentimentAnalyzer& SentimentAnalyzer::Default() {
  static const SentimentAnalyzer analyzer;
  return analyzer;
}

SentimentAnalyzer::SentimentAnalyzer() {
  ForEachLine(lexicons::VaderLexicon(), [&](const std::string_view* f, std::size_t n) {
    if (n < 2) return;
    Word& word = words_[f[0]];
    if (word.in_lexicon) return;  // the first rating of a word stands
    word.in_lexicon = true;
    word.valence = ParseDouble(f[1]);
  });
  // AFINN fills the words VADER's lexicon lacks ("delayed", "stranded"), scaled from -5..5 to
  // VADER's -4..4 and weakened: VADER's valences were rated for this scale, AFINN's were not.
  ForEachLine(lexicons::Afinn(), [&](const std::string_view* f, std::size_t n) {
    if (n < 2 || f[0].find(' ') != std::string_view::npos) return;
    Word& word = words_[f[0]];
    if (word.in_lexicon) return;
    word.in_lexicon = true;
    word.valence = ParseDouble(f[1]) * kAfinnWeight;
  });
  ForEachLine(lexicons::VaderBoosters(), [&](const std::string_view* f, std::size_t n) {
    if (n < 2) return;
    Word& word = words_[f[0]];
    if (word.booster) return;
    word.booster = true;
    word.boost = ParseDouble(f[1]);
  });
  ForEachLine(lexicons::VaderIdioms(), [&](const std::string_view* f, std::size_t n) {
    if (n >= 2) idioms_.Emplace(f[0], ParseDouble(f[1]));
  });
  ForEachLine(lexicons::VaderNegations(),
              [&](const std::string_view* f, std::size_t) { words_[f[0]].negation = true; });
  ForEachLine(lexicons::EmojiSentiment(), [&](const std::string_view* f, std::size_t n) {
    // Scores from a handful of uses are noise; the ranking's authors use the same cut-off.
    if (n >= 3 && ParseDouble(f[2]) >= 5) emoji_.Emplace(f[0], ParseDouble(f[1]));
  });
}

bool SentimentAnalyzer::Negated(const Token& token) {
  if (token.eager) return false;
  if (token.no_longer) return true;
  return (token.word != nullptr && token.word->negation) ||
         token.lower.find("n't") != std::string_view::npos;
}

double SentimentAnalyzer::Booster(const Token& token, double valence, bool cap_differential) const {
  if (!token.booster()) return 0;
  double scalar = valence < 0 ? -token.word->boost : token.word->boost;
  if (cap_differential && IsShouted(token.text))
    scalar += valence > 0 ? kCapsIncrement : -kCapsIncrement;
  return scalar;
}

void SentimentAnalyzer::Tokenize(std::string_view text, std::vector<Token>& out) const {
  out.clear();
  bool after_i = false;
  bool sentence_start = true;
  const auto add_word = [&](std::string_view word) {
    const char last = word.back();
    const bool ends_sentence = last == '.' || last == '!' || last == '?';
    const bool ends_clause = ends_sentence || last == ',' || last == ';' || last == ':';
    // Strip punctuation around a word, but keep an emoticon (what is left is two bytes or less).
    std::size_t begin = 0;
    std::size_t end = word.size();
    while (begin < end && IsAsciiPunctuation(word[begin])) ++begin;
    while (end > begin && IsAsciiPunctuation(word[end - 1])) --end;
    if (end - begin > 2) word = word.substr(begin, end - begin);
    if (word.size() <= 1) {
      after_i = word == "i" || word == "I";
      sentence_start = sentence_start || ends_sentence;
      return;
    }
    Token token;
    token.text = word;
    token.lower = AsciiLowerCopy(word);
    token.after_i = std::exchange(after_i, false);
    token.sentence_start = std::exchange(sentence_start, ends_sentence);
    token.ends_clause = ends_clause;
    token.word = words_.Find(token.lower);
    out.push_back(std::move(token));
  };
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && static_cast<unsigned char>(text[i]) <= ' ') ++i;
    std::size_t end = i;
    while (end < text.size() && static_cast<unsigned char>(text[end]) > ' ') ++end;
    const std::string_view raw = text.substr(i, end - i);
    if (raw.empty()) break;
    if (UrlLength(text, i) > 0 || HandleLength(text, i) == raw.size()) {
      i = end;
      continue;
    }
    // Emoji glued to words ("great😍") are tokens of their own.
    std::size_t word_start = 0;
    std::size_t k = 0;
    while (k < raw.size()) {
      std::size_t next = k;
      const char32_t cp = NextCodePoint(raw, next);
      if (cp < 0x80 || !IsEmoji(cp)) {
        k = next;
        continue;
      }
      if (k > word_start) add_word(raw.substr(word_start, k - word_start));
      std::size_t sequence_end = next;
      for (;;) {
        std::size_t after = sequence_end;
        if (after >= raw.size()) break;
        const char32_t follower = NextCodePoint(raw, after);
        const bool flag_pair = cp >= 0x1F1E6 && cp <= 0x1F1FF && follower >= 0x1F1E6 &&
                               follower <= 0x1F1FF && sequence_end == next;
        if (!IsEmojiModifier(follower) && !flag_pair) break;
        sequence_end = after;
        if (follower == 0x200D && sequence_end < raw.size()) NextCodePoint(raw, sequence_end);
      }
      Token token;
      token.text = raw.substr(k, sequence_end - k);
      token.is_emoji = true;
      const double* emoji = emoji_.Find(token.text);
      if (emoji == nullptr) emoji = emoji_.Find(raw.substr(k, next - k));
      if (emoji != nullptr) token.emoji_valence = *emoji * kEmojiWeight;
      out.push_back(std::move(token));
      k = sequence_end;
      word_start = k;
    }
    if (word_start < raw.size()) add_word(raw.substr(word_start));
    i = end;
  }
}

double SentimentAnalyzer::Idioms(double valence, const std::vector<Token>& t, std::size_t i) const {
  // The words at `indices` joined by spaces, in one buffer reused for every key (this runs for
  // every word that carries sentiment).
  thread_local std::string key;
  const auto join = [&](std::initializer_list<std::size_t> indices) -> std::string_view {
    key.clear();
    for (std::size_t index : indices) {
      if (!key.empty()) key += ' ';
      key += t[index].lower;
    }
    return key;
  };
  const auto lookup = [&](std::string_view phrase, double& value) {
    const double* idiom = idioms_.Find(phrase);
    if (idiom == nullptr) return false;
    value = *idiom;
    return true;
  };
  const bool found =
      lookup(join({i - 1, i}), valence) || lookup(join({i - 2, i - 1, i}), valence) ||
      lookup(join({i - 2, i - 1}), valence) || lookup(join({i - 3, i - 2, i - 1}), valence) ||
      lookup(join({i - 3, i - 2}), valence);
  (void)found;  // the first idiom that matches gives the valence
  if (i + 1 < t.size()) lookup(join({i, i + 1}), valence);
  if (i + 2 < t.size()) lookup(join({i, i + 1, i + 2}), valence);
  const auto booster = [&](std::string_view phrase) {
    const Word* word = words_.Find(phrase);
    return word != nullptr && word->booster;
  };
  if (booster(join({i - 3, i - 2})) || booster(join({i - 2, i - 1}))) {
    valence -= kBoosterIncrement;
  }
  return valence;
}

SentimentScore SentimentAnalyzer::Score(std::string_view text, bool words_count) const {
  thread_local std::vector<Token> tokens;
  thread_local std::vector<double> valences;
  Tokenize(text, tokens);
  valences.assign(tokens.size(), 0.0);
  SentimentScore score;
  if (tokens.empty()) return score;

  std::size_t shouted = 0;
  std::size_t words = 0;
  for (const Token& token : tokens) {
    if (token.is_emoji) continue;
    ++words;
    if (IsShouted(token.text)) ++shouted;
  }
  const bool cap_differential = shouted > 0 && shouted < words;

  // "can't wait" is eagerness, not a negation: VADER's lexicon has neither the phrase nor "wait",
  // and its "can't" would turn the next feeling around ("can't wait, so happy").
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    const std::string_view before = tokens[i].lower;
    if (tokens[i + 1].lower == "wait" &&
        (before == "can't" || before == "cant" || before == "cannot")) {
      tokens[i].eager = true;
      tokens[i + 1].eager = true;
    }
    if (before == "no" && tokens[i + 1].lower == "longer") tokens[i].no_longer = true;
  }

  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    if (token.is_emoji) {
      valences[i] = token.emoji_valence;
      continue;
    }
    if (token.booster() ||
        (token.lower == "kind" && i + 1 < tokens.size() && tokens[i + 1].lower == "of")) {
      continue;
    }
    if (token.no_longer) continue;
    if (token.eager) {
      if (token.lower == "wait" && words_count) valences[i] = kEagerValence;
      continue;
    }
    if (token.lower == "like" && LikeIsNotLiking(tokens, i)) continue;
    // "Miss USA", "Miss Texas": the title before a name, not the verb.
    if (token.text == "Miss" && i + 1 < tokens.size() && !token.ends_clause &&
        tokens[i + 1].text[0] >= 'A' && tokens[i + 1].text[0] <= 'Z') {
      continue;
    }
    // A capitalised word inside a name, beside another that carries no sentiment; not one
    // capitalised because it starts a sentence ("... day! Wow! Great"), nor across punctuation.
    const auto name_word = [&](std::size_t k) {
      return !tokens[k].sentence_start && IsTitle(tokens[k].text) && !tokens[k].in_lexicon();
    };
    if (!token.sentence_start && IsTitle(token.text) &&
        ((i + 1 < tokens.size() && !token.ends_clause && name_word(i + 1)) ||
         (i > 0 && !tokens[i - 1].ends_clause &&
          (name_word(i - 1) ||
           (IsAcronym(tokens[i - 1].text) && tokens[i - 1].word == nullptr))))) {
      continue;  // part of a name
    }
    // "no" before a sentiment word negates it rather than counting as negative itself.
    if (token.lower == "no" && i + 1 < tokens.size() && tokens[i + 1].in_lexicon()) continue;
    if (!words_count && std::any_of(token.lower.begin(), token.lower.end(),
                                    [](char c) { return c >= 'a' && c <= 'z'; })) {
      continue;
    }
    double valence = token.valence();
    if (valence == 0) continue;
    if (cap_differential && IsShouted(token.text))
      valence += valence > 0 ? kCapsIncrement : -kCapsIncrement;
    for (std::size_t back = 0; back < 3; ++back) {
      if (i <= back) break;
      const Token& before = tokens[i - back - 1];
      if (before.in_lexicon() && before.lower != "no") continue;
      double scalar = Booster(before, valence, cap_differential);
      if (back == 1) scalar *= 0.95;
      if (back == 2) scalar *= 0.9;
      valence += scalar;
      // Negation, and "never so/this" which intensifies instead.
      if (back == 0) {
        if (Negated(before)) valence *= kNegationScalar;
      } else if (back == 1) {
        if (tokens[i - 2].lower == "never" &&
            (tokens[i - 1].lower == "so" || tokens[i - 1].lower == "this")) {
          valence *= 1.25;
        } else if (Negated(before)) {
          valence *= kNegationScalar;
        }
      } else {
        if ((tokens[i - 3].lower == "never" &&
             (tokens[i - 2].lower == "so" || tokens[i - 2].lower == "this")) ||
            tokens[i - 1].lower == "so" || tokens[i - 1].lower == "this") {
          valence *= 1.25;
        } else if (Negated(before)) {
          valence *= kNegationScalar;
        }
        valence = Idioms(valence, tokens, i);
      }
    }
    // "least" negates, except in "at least" and "very least".
    if (i > 0 && tokens[i - 1].lower == "least" && !tokens[i - 1].in_lexicon()) {
      if (i == 1 || (tokens[i - 2].lower != "at" && tokens[i - 2].lower != "very")) {
        valence *= kNegationScalar;
      }
    }
    valences[i] = valence;
  }

  // Contrast: what follows "but" weighs more than what precedes it.
  for (std::size_t b = 0; b < tokens.size(); ++b) {
    if (tokens[b].lower != "but") continue;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (i < b) valences[i] *= 0.5;
      if (i > b) valences[i] *= 1.5;
    }
    break;
  }

  double sum = 0;
  double positive = 0;
  double negative = 0;
  std::size_t neutral = 0;
  for (double v : valences) {
    sum += v;
    if (v > 0) {
      positive += v + 1;
    } else if (v < 0) {
      negative += v - 1;
    } else {
      ++neutral;
    }
  }
  // Emphasis from up to four exclamation marks and from two or more question marks.
  const auto exclamations = std::min<std::ptrdiff_t>(std::count(text.begin(), text.end(), '!'), 4);
  const auto questions = std::count(text.begin(), text.end(), '?');
  double emphasis = 0.292 * static_cast<double>(exclamations);
  if (questions > 1) emphasis += questions <= 3 ? 0.18 * static_cast<double>(questions) : 0.96;
  if (sum > 0) sum += emphasis;
  if (sum < 0) sum -= emphasis;
  score.compound = std::clamp(sum / std::sqrt(sum * sum + kNormalisationAlpha), -1.0, 1.0);
  if (positive > -negative) positive += emphasis;
  if (positive < -negative) negative -= emphasis;
  const double total = positive - negative + static_cast<double>(neutral);
  if (total > 0) {
    score.positive = positive / total;
    score.negative = -negative / total;
    score.neutral = static_cast<double>(neutral) / total;
  }

  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (valences[i] != 0) score.cues.push_back({std::string(tokens[i].text), valences[i]});
  }
  std::sort(score.cues.begin(), score.cues.end(), [](const SentimentCue& a, const SentimentCue& b) {
    return std::abs(a.valence) > std::abs(b.valence);
  });
  if (score.cues.size() > 3) score.cues.resize(3);
  return score;
}

}  // namespace parley::triage
