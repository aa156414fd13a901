#include "parley/triage/patterns.h"

#include <hs/hs.h>

#include <algorithm>
#include <atomic>
#include <charconv>

#include "parley/triage/text.h"

namespace parley::triage {

struct PatternSet::Database {
  hs_database_t* handle = nullptr;
  std::uint64_t serial = 0;  // which database a thread's scratch was last sized for
  ~Database() { hs_free_database(handle); }
};

namespace {

std::atomic<std::uint64_t> next_serial{1};

// One scratch space per thread, grown to fit every database the thread scans with.
struct Scratch {
  hs_scratch_t* space = nullptr;
  std::vector<std::uint64_t> sized_for;
  ~Scratch() { hs_free_scratch(space); }
};

hs_scratch_t* ScratchFor(const hs_database_t* database, std::uint64_t serial) {
  thread_local Scratch scratch;
  if (std::find(scratch.sized_for.begin(), scratch.sized_for.end(), serial) ==
      scratch.sized_for.end()) {
    if (hs_alloc_scratch(database, &scratch.space) != HS_SUCCESS) return nullptr;
    if (scratch.sized_for.size() >= 64) scratch.sized_for.erase(scratch.sized_for.begin());
    scratch.sized_for.push_back(serial);
  }
  return scratch.space;
}

// Hyperscan's parse errors end in "at index N."; that is the position in the expression.
std::optional<std::size_t> PositionIn(std::string_view message) {
  const std::size_t at = message.rfind("index ");
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t position = 0;
  const char* begin = message.data() + at + 6;
  const auto [end, ec] = std::from_chars(begin, message.data() + message.size(), position);
  if (ec != std::errc() || end == begin) return std::nullopt;
  return position;
}

// Letters of alphabetic scripts count as word characters; punctuation, symbols and emoji do not.
bool IsWordCodePoint(char32_t cp) {
  if (cp < 0x80) return IsAsciiAlnum(static_cast<char>(cp)) || cp == '_';
  return (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||  // Latin
         (cp >= 0x370 && cp <= 0x52F) ||                             // Greek, Cyrillic
         (cp >= 0x590 && cp <= 0x6FF);                               // Hebrew, Arabic
}

bool WordBefore(std::string_view text, std::size_t at) {
  if (at == 0) return false;
  std::size_t start = at - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  return IsWordCodePoint(NextCodePoint(text, start));
}

bool WordAt(std::string_view text, std::size_t at) {
  if (at >= text.size()) return false;
  return IsWordCodePoint(NextCodePoint(text, at));
}

struct ScanContext {
  std::string_view text;
  const std::vector<PatternSet::Literal>* literals = nullptr;  // null for the regex database
  std::vector<std::uint32_t>* matched = nullptr;
};

int OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to,
            unsigned int /*flags*/, void* opaque) {
  auto& context = *static_cast<ScanContext*>(opaque);
  if (context.literals != nullptr) {
    const auto& literal = (*context.literals)[id];
    const std::size_t end = static_cast<std::size_t>(to);
    const std::size_t begin = end - literal.length;
    if (literal.check_start && WordBefore(context.text, begin)) return 0;
    if (literal.check_end && WordAt(context.text, end)) return 0;
  }
  auto& matched = *context.matched;
  if (std::find(matched.begin(), matched.end(), id) == matched.end()) matched.push_back(id);
  return 0;
}

}  // namespace

std::string NormalizeForMatching(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte <= ' ') {
      if (!space) out += ' ';
      space = true;
      continue;
    }
    space = false;
    // U+2018 and U+2019, the typographic apostrophes of "can’t".
    if (byte == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(text[i + 2]) == 0x98 ||
         static_cast<unsigned char>(text[i + 2]) == 0x99)) {
      out += '\'';
      i += 2;
      continue;
    }
    // Latin-1 capitals (À..Þ) to small letters: Hyperscan folds case in ASCII only.
    if (byte == 0xC3 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9E && next != 0x97) {
        out += static_cast<char>(0xC3);
        out += static_cast<char>(next + 0x20);
        ++i;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

PatternSet::PatternSet() = default;
PatternSet::PatternSet(PatternSet&&) noexcept = default;
PatternSet& PatternSet::operator=(PatternSet&&) noexcept = default;
PatternSet::~PatternSet() = default;

std::variant<PatternSet, PatternError> PatternSet::Compile(const std::vector<PatternSpec>& specs) {
  PatternSet set;
  set.size_ = specs.size();
  set.literal_info_.resize(specs.size());
  std::vector<std::string> literal_text;
  std::vector<unsigned int> literal_ids;
  std::vector<const char*> regexes;
  std::vector<unsigned int> regex_ids;
  literal_text.reserve(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const PatternSpec& spec = specs[i];
    if (spec.regex) {
      regexes.push_back(spec.expression.c_str());
      regex_ids.push_back(static_cast<unsigned int>(i));
      continue;
    }
    std::string literal = NormalizeForMatching(spec.expression);
    if (!literal.empty() && literal.front() == ' ') literal.erase(literal.begin());
    if (!literal.empty() && literal.back() == ' ') literal.pop_back();
    if (literal.empty()) return PatternError{i, "the pattern is empty", std::nullopt};
    std::size_t first = 0;
    const bool starts_word = IsWordCodePoint(NextCodePoint(literal, first));
    std::size_t last = literal.size() - 1;
    while (last > 0 && (static_cast<unsigned char>(literal[last]) & 0xC0) == 0x80) --last;
    const bool ends_word = IsWordCodePoint(NextCodePoint(literal, last));
    set.literal_info_[i] = {static_cast<std::uint32_t>(literal.size()), starts_word, ends_word};
    literal_text.push_back(std::move(literal));
    literal_ids.push_back(static_cast<unsigned int>(i));
  }

  const auto flags_for = [&](const std::vector<unsigned int>& ids, bool utf8) {
    std::vector<unsigned int> flags;
    for (unsigned int id : ids) {
      unsigned int f = specs[id].case_sensitive ? 0u : static_cast<unsigned int>(HS_FLAG_CASELESS);
      if (utf8) f |= HS_FLAG_UTF8 | HS_FLAG_SINGLEMATCH;
      flags.push_back(f);
    }
    return flags;
  };
  const auto fail = [](hs_compile_error_t* error, const std::vector<unsigned int>& ids) {
    PatternError failure;
    failure.index =
        error->expression >= 0 ? ids.at(static_cast<std::size_t>(error->expression)) : 0;
    failure.reason = error->message;
    failure.position = PositionIn(failure.reason);
    hs_free_compile_error(error);
    return failure;
  };
  const auto keep = [](hs_database_t* handle) {
    auto database = std::make_unique<Database>();
    database->handle = handle;
    database->serial = next_serial.fetch_add(1);
    return database;
  };

  if (!literal_text.empty()) {
    std::vector<const char*> pointers;
    std::vector<std::size_t> lengths;
    for (const std::string& text : literal_text) {
      pointers.push_back(text.data());
      lengths.push_back(text.size());
    }
    const std::vector<unsigned int> flags = flags_for(literal_ids, false);
    hs_database_t* database = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_compile_lit_multi(pointers.data(), flags.data(), literal_ids.data(), lengths.data(),
                             static_cast<unsigned int>(pointers.size()), HS_MODE_BLOCK, nullptr,
                             &database, &error) != HS_SUCCESS) {
      return fail(error, literal_ids);
    }
    set.literals_ = keep(database);
  }
  if (!regexes.empty()) {
    const std::vector<unsigned int> flags = flags_for(regex_ids, true);
    hs_database_t* database = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_compile_multi(regexes.data(), flags.data(), regex_ids.data(),
                         static_cast<unsigned int>(regexes.size()), HS_MODE_BLOCK, nullptr,
                         &database, &error) != HS_SUCCESS) {
      return fail(error, regex_ids);
    }
    set.regexes_ = keep(database);
  }
  return set;
}

void PatternSet::Scan(std::string_view text, std::vector<std::uint32_t>& matched) const {
  matched.clear();
  if (text.empty()) return;
  for (const Database* database : {literals_.get(), regexes_.get()}) {
    if (database == nullptr) continue;
    hs_scratch_t* scratch = ScratchFor(database->handle, database->serial);
    if (scratch == nullptr) continue;
    ScanContext context{text, database == literals_.get() ? &literal_info_ : nullptr, &matched};
    hs_scan(database->handle, text.data(), static_cast<unsigned int>(text.size()), 0, scratch,
            OnMatch, &context);
  }
}

}  // namespace parley::triage
