// A triage configuration compiled for matching: one pattern database, lookup tables, rules in
// order. Immutable once built, so a Triager can swap in a new one between messages.
#pragma once

#include <cctz/time_zone.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "parley/triage/patterns.h"
#include "parley/triage/text.h"
#include "parley/triage/triage.h"

namespace parley::triage {

// The classifier's own phrase lists (src/triage/defaults/cues.json).
enum class Cue {
  kQuestion,
  kComplaint,
  kUrgent,
  kCrisis,
  kAccusation,
  kTransaction,
  kFact,
  kPraise,
  kIndustry,
  kSpam,
  kInsult,
  kThreat,
  kSecondPerson,
  kCount,
};

struct PatternInfo {
  enum class Source { kKeyword, kCue, kProfanity } source = Source::kKeyword;
  std::uint32_t table = 0;  // kKeyword: index into tables
  std::uint32_t entry = 0;  // kKeyword: index into the table's entries
  Cue cue = Cue::kQuestion;
  std::string text;      // the phrase or word as configured
  std::string language;  // kProfanity: the list it came from
};

class Compiled {
 public:
  static core::Result<std::shared_ptr<const Compiled>> Build(TriageConfig config);

  TriageConfig config;
  std::vector<domain::KeywordTable> tables;  // the shipped defaults first, then the workspace's
  std::vector<PatternInfo> patterns;
  PatternSet set;
  std::vector<const domain::Rule*> rules;  // enabled, in ascending order
  std::unordered_set<std::string, StringHash, std::equal_to<>> brand_handles;    // lowercase
  std::unordered_set<std::string, StringHash, std::equal_to<>> blocked_authors;  // lowercase
  std::unordered_map<std::string, const KeyCustomer*, StringHash, std::equal_to<>> key_by_handle;
  std::unordered_map<std::string, const KeyCustomer*, StringHash, std::equal_to<>> key_by_id;
  cctz::time_zone zone;
};

}  // namespace parley::triage
