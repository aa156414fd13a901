// Every pattern triage looks for — admins' keyword tables, the classifier's cues, the profanity
// lists — compiled with Hyperscan and matched in one pass over the text. Words and phrases are
// literals: they all go into one literal database (compiling thousands takes milliseconds, where
// the same as regular expressions takes seconds) and their word boundaries are checked when they
// match. Regular expressions, if any table has them, share a second database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "parley/core/result.h"

struct hs_database;

namespace parley::triage {

struct PatternSpec {
  std::string expression;  // a literal phrase, or Hyperscan syntax (a PCRE subset) for a regex
  bool regex = false;
  bool case_sensitive = false;
};

// What Scan expects: whitespace runs become one space, typographic apostrophes plain ones and
// Latin-1 capitals small letters, so that a phrase's single spaces match any spacing and
// "UNVERSCHÄMT" matches "unverschämt".
std::string NormalizeForMatching(std::string_view text);

struct PatternError {
  std::size_t index = 0;  // which PatternSpec
  std::string reason;
  std::optional<std::size_t> position;  // byte offset into the expression, when Hyperscan gives one
};

class PatternSet {
 public:
  PatternSet();  // matches nothing
  PatternSet(PatternSet&&) noexcept;
  PatternSet& operator=(PatternSet&&) noexcept;
  ~PatternSet();

  // Compiles all patterns; on failure tells which one and why.
  static std::variant<PatternSet, PatternError> Compile(const std::vector<PatternSpec>& specs);

  // The indices of the patterns found in `text` (normalized), each once, in the order they were
  // first found. A phrase that starts or ends with a letter or digit matches only on a word
  // boundary there. Thread-safe: each thread scans with its own scratch space.
  void Scan(std::string_view text, std::vector<std::uint32_t>& matched) const;

  std::size_t size() const { return size_; }

  // A literal's length and which of its ends must sit on a word boundary.
  struct Literal {
    std::uint32_t length = 0;
    bool check_start = false;
    bool check_end = false;
  };

 private:
  struct Database;
  std::unique_ptr<Database> literals_;
  std::unique_ptr<Database> regexes_;
  std::vector<Literal> literal_info_;  // by pattern index
  std::size_t size_ = 0;
};

}  // namespace parley::triage
