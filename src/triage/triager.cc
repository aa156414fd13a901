#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <nlohmann/json.hpp>
#include <span>
#include <unordered_map>

#include "parley/triage/compiled.h"
#include "parley/triage/hash_memory.h"
#include "parley/triage/language.h"
#include "parley/triage/sentiment.h"
#include "parley/triage/triage.h"

namespace parley::triage {
namespace {

using core::Timestamp;

// Polarity bands over VADER's compound score, chosen on the TweetEval sentiment validation set
// (docs/triage-quality.md): VADER's own ±0.05 calls too much of social text positive.
constexpr double kPositiveFrom = 0.34;
constexpr double kNegativeFrom = -0.06;

// One decimal, from whole tenths: formatting a double is the slow way to print "7.3".
std::string Round1(double value) {
  if (!std::isfinite(value)) return "0.0";
  const long long tenths = std::llround(std::clamp(value, -1e15, 1e15) * 10);
  const unsigned long long magnitude = tenths < 0 ? 0ULL - static_cast<unsigned long long>(tenths)
                                                  : static_cast<unsigned long long>(tenths);
  char buffer[32];
  char* out = buffer;
  if (tenths < 0) *out++ = '-';
  out = std::to_chars(out, buffer + sizeof buffer - 2, magnitude / 10).ptr;
  *out++ = '.';
  *out++ = static_cast<char>('0' + magnitude % 10);
  return std::string(buffer, out);
}

// The reasons' sentences are written for every message, so each is built in one allocation:
// Cat("complaint ", Quoted(words)) measures its parts, reserves, then appends them.
template <typename Words>
struct QuotedWords {
  const Words& words;
  std::size_t limit;
};
// Up to `limit` words, each in quotes, separated by commas.
template <typename Words>
QuotedWords<Words> Quoted(const Words& words, std::size_t limit = 3) {
  return {words, limit};
}

std::size_t LengthOf(std::string_view part) { return part.size(); }
template <std::size_t N>
std::size_t LengthOf(const char (&)[N]) {
  return N - 1;
}
template <typename Words>
std::size_t LengthOf(const QuotedWords<Words>& quoted) {
  std::size_t length = 0;
  for (std::size_t i = 0; i < quoted.words.size() && i < quoted.limit; ++i)
    length += std::string_view(quoted.words[i]).size() + 4;
  return length;
}
void AppendTo(std::string& out, std::string_view part) { out += part; }
template <std::size_t N>
void AppendTo(std::string& out, const char (&part)[N]) {
  out.append(part, N - 1);
}
template <typename Words>
void AppendTo(std::string& out, const QuotedWords<Words>& quoted) {
  for (std::size_t i = 0; i < quoted.words.size() && i < quoted.limit; ++i) {
    if (i > 0) out += ", ";
    out += '"';
    out += quoted.words[i];
    out += '"';
  }
}
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  out.reserve((LengthOf(parts) + ...));
  (AppendTo(out, parts), ...);
  return out;
}

std::string Followers(std::int64_t n) {
  if (n >= 1000000) return Cat(Round1(static_cast<double>(n) / 1e6), "M");
  if (n >= 1000) return Cat(std::to_string(n / 1000), "k");
  return std::to_string(n);
}

std::string Ago(core::Duration d) {
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(d).count();
  if (minutes < 60) return Cat(std::to_string(std::max<std::int64_t>(minutes, 1)), " min ago");
  if (minutes < 48 * 60) return Cat(std::to_string(minutes / 60), " h ago");
  return Cat(std::to_string(minutes / (24 * 60)), " days ago");
}

void AddUnique(std::vector<std::string>& list, std::string value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

// The text reduced to what two copies of one message share: lowercase words, no handles, links or
// punctuation. Near duplicates have the same skeleton.
std::string Skeleton(std::string_view text, std::size_t* words) {
  std::string out;
  out.reserve(text.size());
  *words = 0;
  std::size_t i = 0;
  bool space = true;
  while (i < text.size()) {
    if (space) {
      if (const std::size_t n = UrlLength(text, i); n > 0) {
        i += n;
        continue;
      }
      if (const std::size_t n = HandleLength(text, i); n > 0) {
        i += n;
        continue;
      }
    }
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || IsAsciiAlnum(c)) {
      if (space && !out.empty()) out += ' ';
      if (space) ++*words;
      out += AsciiLower(c);
      space = false;
    } else if (c != '\'') {  // an apostrophe stays inside its word ("don't")
      space = true;
    }
    ++i;
  }
  return out;
}

std::uint64_t Hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

}  // namespace

// What the triager remembers between messages: recent texts (duplicates, repeated posts), when
// each author last wrote (recent customers), and engagement samples (top mentions).
struct Triager::Memory {
  struct Seen {
    Timestamp at;
    std::uint64_t author = 0;  // hash of the author's id or handle; 0: unknown
  };
  // Engagement of one post: the oldest sample still in the window and the latest.
  struct Engagement {
    Timestamp first_at;
    double first = 0;
    Timestamp last_at;
    double last = 0;
  };
  HashMemory<Seen> exact{kMaxTexts};
  HashMemory<Seen> near{kMaxTexts};
  std::deque<std::pair<Timestamp, std::pair<std::uint64_t, std::uint64_t>>> texts;
  HashMemory<Timestamp> authors{kMaxAuthors / 2};
  std::deque<std::pair<Timestamp, std::uint64_t>> author_order;
  HashMemory<Engagement> engagement;
  std::deque<std::pair<Timestamp, std::uint64_t>> engagement_order;

  static constexpr std::size_t kMaxTexts = 200000;
  static constexpr std::size_t kMaxAuthors = 500000;
  static constexpr std::size_t kMaxTracked = 100000;

  void Forget(Timestamp now, const TriageConfig& config) {
    while (!texts.empty() &&
           (texts.size() > kMaxTexts || now - texts.front().first > config.duplicate_window)) {
      const auto [exact_hash, near_hash] = texts.front().second;
      if (const Seen* seen = exact.Find(exact_hash);
          seen != nullptr && seen->at <= texts.front().first) {
        exact.Erase(exact_hash);
      }
      if (const Seen* seen = near.Find(near_hash);
          seen != nullptr && seen->at <= texts.front().first) {
        near.Erase(near_hash);
      }
      texts.pop_front();
    }
    while (!author_order.empty() &&
           (author_order.size() > kMaxAuthors ||
            now - author_order.front().first > config.recent_customer_window)) {
      if (const Timestamp* last = authors.Find(author_order.front().second);
          last != nullptr && *last <= author_order.front().first) {
        authors.Erase(author_order.front().second);
      }
      author_order.pop_front();
    }
    while (!engagement_order.empty() &&
           (engagement_order.size() > kMaxTracked ||
            now - engagement_order.front().first > 6 * config.top_mention_window)) {
      engagement.Erase(engagement_order.front().second);
      engagement_order.pop_front();
    }
    // The next message forgets these.
    if (!texts.empty()) {
      exact.Prefetch(texts.front().second.first);
      near.Prefetch(texts.front().second.second);
    }
    if (!author_order.empty()) authors.Prefetch(author_order.front().second);
    if (!engagement_order.empty()) engagement.Prefetch(engagement_order.front().second);
  }
};

TriageInput InputFor(const domain::Message& message) {
  TriageInput input;
  input.text = message.text;
  input.channel = message.channel;
  input.author_handle = message.author.handle;
  input.author_id = message.author.platform_user_id;
  input.followers = message.author.followers;
  input.verified = message.author.verified;
  if (message.published_at != core::Timestamp()) input.created_at = message.published_at;
  input.language_hint = message.language;
  input.platform_message_id = message.platform_message_id;
  input.metrics = message.metrics;
  input.is_repost = message.kind == domain::MessageKind::kRepost;
  return input;
}

Triager::Triager(const core::Clock& clock) : clock_(clock), memory_(std::make_unique<Memory>()) {}
Triager::~Triager() = default;

core::Result<std::unique_ptr<Triager>> Triager::Create(TriageConfig config,
                                                       const core::Clock& clock) {
  std::unique_ptr<Triager> triager(new Triager(clock));
  PARLEY_TRY(triager->Configure(std::move(config)));
  return triager;
}

core::Status Triager::Configure(TriageConfig config) {
  PARLEY_ASSIGN_OR_RETURN(auto compiled, Compiled::Build(std::move(config)));
  std::atomic_store(&compiled_, std::move(compiled));
  return core::Ok();
}

std::unique_ptr<Triager> Triager::Fresh() const {
  std::unique_ptr<Triager> triager(new Triager(clock_));
  triager->compiled_ = std::atomic_load(&compiled_);
  return triager;
}

std::size_t Triager::pattern_count() const { return std::atomic_load(&compiled_)->set.size(); }

namespace {

// A field as a number, for the comparisons: counts, scores, and flags as 1 or 0. Other fields
// read as text.
std::optional<double> FieldNumber(std::string_view field, const TriageResult& r,
                                  const TriageInput& in) {
  const auto flag = [](bool b) { return b ? 1.0 : 0.0; };
  if (field == "tier") return r.tier;
  if (field == "sentiment") return r.sentiment;
  if (field == "author.followers") return static_cast<double>(in.followers);
  if (field == "priority") return r.priority;
  if (field == "authority") return r.authority;
  if (field == "velocity") return r.velocity;
  if (field == "actionable") return flag(r.actionable);
  if (field == "author.verified") return flag(in.verified);
  if (field == "key_customer") return flag(!r.key_customer_tier.empty());
  if (field == "influencer") return flag(r.influencer);
  if (field == "recent_customer") return flag(r.recent_customer);
  if (field == "top_mention") return flag(r.top_mention);
  return std::nullopt;
}

// The values a rule condition sees for a field, into `out`.
void FieldValues(std::string_view field, const TriageResult& r, const TriageInput& in,
                 std::vector<std::string>& out) {
  out.clear();
  const auto one = [&](std::string_view value) { out.emplace_back(value); };
  const auto each = [&](const std::vector<std::string>& values) {
    out.insert(out.end(), values.begin(), values.end());
  };
  const auto unique = [&](std::string_view value) {
    if (std::find(out.begin(), out.end(), value) == out.end()) out.emplace_back(value);
  };
  if (field == "text") return one(in.text);
  if (field == "intent") return one(domain::ToString(r.intent));
  if (field == "risk") return one(domain::ToString(r.risk));
  if (field == "tier") return one(std::to_string(r.tier));
  if (field == "actionable") return one(r.actionable ? "true" : "false");
  if (field == "sentiment") return one(std::to_string(r.sentiment));
  if (field == "polarity") return one(domain::ToString(r.polarity));
  if (field == "language") return one(r.language);
  if (field == "channel") return one(domain::ToString(in.channel));
  if (field == "author.handle") return one(in.author_handle);
  if (field == "author.id") return one(in.author_id);
  if (field == "author.followers") return one(std::to_string(in.followers));
  if (field == "author.verified") return one(in.verified ? "true" : "false");
  if (field == "tags") return each(r.tags);
  if (field == "category") return one(r.category);
  if (field == "priority") return one(std::to_string(r.priority));
  if (field == "key_customer") return one(r.key_customer_tier.empty() ? "false" : "true");
  if (field == "key_customer_tier") return one(r.key_customer_tier);
  if (field == "influencer") return one(r.influencer ? "true" : "false");
  if (field == "recent_customer") return one(r.recent_customer ? "true" : "false");
  if (field == "top_mention") return one(r.top_mention ? "true" : "false");
  if (field == "authority") return one(std::to_string(r.authority));
  if (field == "velocity") return one(std::to_string(r.velocity));
  if (field == "team") return one(r.team);
  if (field == "pii") {
    for (const PiiSpan& span : r.pii) unique(domain::ToString(span.type));
    return;
  }
  if (field == "filters") return each(r.filters);
  if (field == "keyword_tables") {
    for (const KeywordHit& hit : r.keyword_hits) unique(hit.table);
  }
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

double ToNumber(const std::string& text) {
  if (text == "true") return 1;
  if (text == "false") return 0;
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

bool InBusinessHours(const Compiled& compiled, Timestamp now) {
  const BusinessHours& hours = *compiled.config.business_hours;
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(now);
  const cctz::civil_second local = cctz::convert(seconds, compiled.zone);
  const int weekday = [&] {
    switch (cctz::get_weekday(cctz::civil_day(local))) {
      case cctz::weekday::sunday:
        return 0;
      case cctz::weekday::monday:
        return 1;
      case cctz::weekday::tuesday:
        return 2;
      case cctz::weekday::wednesday:
        return 3;
      case cctz::weekday::thursday:
        return 4;
      case cctz::weekday::friday:
        return 5;
      case cctz::weekday::saturday:
        return 6;
    }
    return 0;
  }();
  const int minute = local.hour() * 60 + local.minute();
  return hours.days[static_cast<std::size_t>(weekday)] && minute >= hours.open_minute &&
         minute < hours.close_minute;
}

bool Holds(const domain::Condition& c, const TriageResult& r, const TriageInput& in,
           const Compiled& compiled, Timestamp now) {
  using Op = domain::ConditionOperator;
  if (c.op == Op::kMatchesTable) {
    return std::any_of(r.keyword_hits.begin(), r.keyword_hits.end(), [&](const KeywordHit& hit) {
      return std::find(c.values.begin(), c.values.end(), hit.table) != c.values.end();
    });
  }
  if (c.op == Op::kInBusinessHours) {
    const bool wanted = c.values.empty() || c.values.front() != "false";
    return InBusinessHours(compiled, now) == wanted;
  }
  // A comparison reads the number itself where the field is one; text is the other way.
  if (c.op == Op::kAtLeast || c.op == Op::kAtMost || c.op == Op::kBetween) {
    if (const std::optional<double> number = FieldNumber(c.field, r, in)) {
      switch (c.op) {
        case Op::kAtLeast:
          return *number >= ToNumber(c.values.front());
        case Op::kAtMost:
          return *number <= ToNumber(c.values.front());
        default:
          return *number >= ToNumber(c.values[0]) && *number <= ToNumber(c.values[1]);
      }
    }
  }
  thread_local std::vector<std::string> values;
  FieldValues(c.field, r, in, values);
  const auto any_equal = [&] {
    return std::any_of(values.begin(), values.end(), [&](const std::string& v) {
      return std::any_of(c.values.begin(), c.values.end(),
                         [&](const std::string& w) { return EqualsIgnoringCase(v, w); });
    });
  };
  switch (c.op) {
    case Op::kEquals:
    case Op::kIn:
      return any_equal();
    case Op::kNotEquals:
    case Op::kNotIn:
      return !any_equal();
    case Op::kContains:
      if (c.field == "text") {
        const std::string haystack = AsciiLowerCopy(in.text);
        return std::any_of(c.values.begin(), c.values.end(), [&](const std::string& w) {
          return haystack.find(AsciiLowerCopy(w)) != std::string::npos;
        });
      }
      return any_equal();
    case Op::kAtLeast:
      return !values.empty() && ToNumber(values.front()) >= ToNumber(c.values.front());
    case Op::kAtMost:
      return !values.empty() && ToNumber(values.front()) <= ToNumber(c.values.front());
    case Op::kBetween:
      return !values.empty() && ToNumber(values.front()) >= ToNumber(c.values[0]) &&
             ToNumber(values.front()) <= ToNumber(c.values[1]);
    case Op::kMatchesTable:
    case Op::kInBusinessHours:
      break;
  }
  return false;
}

void Apply(const domain::Rule& rule, const domain::RuleAction& action, TriageResult& r) {
  using Kind = domain::ActionKind;
  std::string because = action.argument.empty()
                            ? std::string(domain::ToString(action.kind))
                            : Cat(domain::ToString(action.kind), " ", action.argument);
  switch (action.kind) {
    case Kind::kTag:
      AddUnique(r.tags, action.argument);
      break;
    case Kind::kSetPriority:
      r.priority = static_cast<int>(ToNumber(action.argument));
      break;
    case Kind::kAssignTeam:
      r.team = action.argument;
      break;
    case Kind::kAssignAgent:
      r.agent = action.argument;
      break;
    case Kind::kAutoAcknowledge:
      r.auto_acknowledge = action.argument;
      break;
    case Kind::kEscalate:
      r.escalate = true;
      break;
    case Kind::kAlert:
      r.alerts.push_back(action.argument);
      break;
    case Kind::kRequireApproval:
      r.require_approval = true;
      break;
    case Kind::kHide:
      r.hide = true;
      break;
    case Kind::kCloseAsNoise:
      r.close_as_noise = true;
      r.actionable = false;
      r.tier = 0;
      AddUnique(r.tags, "noise");
      break;
  }
  r.actions.push_back({rule.name, action.kind, action.argument});
  r.reasons.push_back({"rule", rule.name, 1, std::move(because), 0});
}

}  // namespace

TriageResult Triager::Triage(const TriageInput& in) {
  const std::shared_ptr<const Compiled> compiled = std::atomic_load(&compiled_);
  const TriageConfig& config = compiled->config;
  const Timestamp clock_now = clock_.Now();
  const Timestamp now = in.created_at.value_or(clock_now);
  memory_->Forget(now, config);
  TriageResult r;
  r.configuration = compiled;
  std::string handle = AsciiLowerCopy(in.author_handle.starts_with('@')
                                          ? std::string_view(in.author_handle).substr(1)
                                          : std::string_view(in.author_handle));
  // What the memory will be asked about this message. Its slots start loading now and are read
  // after language detection (see HashMemory::Prefetch).
  std::size_t words = 0;
  const std::string skeleton = Skeleton(in.text, &words);
  const std::uint64_t author_key = !in.author_id.empty() ? Hash(in.author_id) | 1
                                   : handle.empty()      ? 0
                                                         : Hash(handle) | 1;
  const std::uint64_t post_key = Hash(in.platform_message_id);
  const std::uint64_t exact_hash = Hash(in.text);
  const std::uint64_t near_hash = Hash(skeleton);
  if (!in.platform_message_id.empty()) memory_->engagement.Prefetch(post_key);
  memory_->exact.Prefetch(exact_hash);
  memory_->near.Prefetch(near_hash);
  if (author_key != 0) memory_->authors.Prefetch(author_key);

  // Language, sentiment, personal data.
  LanguageGuess language = DetectLanguage(in.text, in.language_hint);
  r.language = std::move(language.code);
  const std::string normalized = NormalizeForMatching(in.text);
  r.pii = FindPii(in.text);
  r.public_text = r.pii.empty() ? in.text : Redact(in.text, r.pii);

  // One pass over every pattern.
  thread_local std::vector<std::uint32_t> matched;
  compiled->set.Scan(normalized, matched);
  thread_local std::array<std::vector<std::string_view>, static_cast<std::size_t>(Cue::kCount)>
      cues;
  for (auto& list : cues) list.clear();
  r.reasons.reserve(24);
  r.tags.reserve(8);
  for (std::uint32_t id : matched) {
    const PatternInfo& info = compiled->patterns[id];
    switch (info.source) {
      case PatternInfo::Source::kKeyword: {
        const domain::KeywordTable& table = compiled->tables[info.table];
        if (!table.language.empty() && !r.language.empty() && table.language != r.language) break;
        r.keyword_hits.push_back(
            {table.name, table.language, info.text, &table.entries[info.entry]});
        break;
      }
      case PatternInfo::Source::kCue:
        cues[static_cast<std::size_t>(info.cue)].push_back(info.text);
        break;
      case PatternInfo::Source::kProfanity:
        // A word is profane in its own language ("con", "bitte", "fan" are not in Spanish, German
        // or English); English swearing travels, so its list applies everywhere.
        if (info.language == "en" || r.language.empty() || info.language == r.language) {
          AddUnique(r.profanity, info.text);
        }
        break;
    }
  }
  const auto cue = [&](Cue c) -> const std::vector<std::string_view>& {
    return cues[static_cast<std::size_t>(c)];
  };

  r.reasons.push_back({"language", r.language.empty() ? "unknown" : r.language, language.confidence,
                       language.from_hint ? "reported by the platform" : "detected from the text"});

  // Sentiment. VADER's lexicons are English: in another language ("die" is German for "the")
  // only emoji and emoticons count, and the cue phrases of that language add their weight.
  const bool english = r.language.empty() || r.language == "en";
  SentimentScore sentiment = SentimentAnalyzer::Default().Score(normalized, english);
  std::string sentiment_source = "VADER compound";
  if (!english) {
    const double praise = static_cast<double>(cue(Cue::kPraise).size());
    const double negative = static_cast<double>(
        cue(Cue::kComplaint).size() + cue(Cue::kAccusation).size() + cue(Cue::kInsult).size() +
        cue(Cue::kThreat).size() + (r.profanity.empty() ? 0 : 1));
    if (praise + negative > 0) {
      const double c = std::clamp(sentiment.compound, -0.999, 0.999);
      double sum = c * std::sqrt(15.0) / std::sqrt(1 - c * c);
      sum += 2.5 * praise - 2.0 * negative;
      sentiment.compound = sum / std::sqrt(sum * sum + 15);
      sentiment_source = Cat("cue phrases (", r.language, ") and emoji");
    }
  }
  r.compound = sentiment.compound;
  r.sentiment = std::round((1 + 4.5 * (sentiment.compound + 1)) * 10) / 10;
  r.polarity = sentiment.compound >= kPositiveFrom   ? Polarity::kPositive
               : sentiment.compound <= kNegativeFrom ? Polarity::kNegative
                                                     : Polarity::kNeutral;
  {
    std::array<std::string_view, 3> cue_words;
    std::size_t count = 0;
    for (const SentimentCue& s : sentiment.cues) {
      if (count < cue_words.size()) cue_words[count++] = s.token;
    }
    const std::span<const std::string_view> strongest(cue_words.data(), count);
    r.reasons.push_back({"sentiment", Round1(r.sentiment),
                         std::min(1.0, 0.5 + std::abs(sentiment.compound) / 2),
                         Cat(sentiment_source, " ", Round1(sentiment.compound * 100), "%",
                             count > 0 ? " from " : "", Quoted(strongest)),
                         0});
  }

  // Filters.
  std::size_t links = 0;
  std::size_t hashtags = 0;
  for (std::size_t i = 0; i < normalized.size();) {
    if (UrlLength(normalized, i) > 0) ++links;
    if (normalized[i] == '#') ++hashtags;
    i = normalized.find(' ', i);
    if (i == std::string::npos) break;
    ++i;
  }
  const auto filter = [&](std::string name, std::string because, double confidence) {
    AddUnique(r.filters, name);
    r.reasons.push_back({"filter", std::move(name), confidence, std::move(because), 0});
  };
  if (in.is_repost || in.text.starts_with("RT @"))
    filter("repost", "a repost of someone else's post", 0.99);
  if (!handle.empty() && compiled->brand_handles.count(handle) > 0)
    filter("own_post", "posted by the brand's own account", 1);
  if ((!handle.empty() && compiled->blocked_authors.count(handle) > 0) ||
      (!in.author_id.empty() && compiled->blocked_authors.count(in.author_id) > 0)) {
    filter("blocked_author", "the author is blocked", 1);
  }
  const bool substantial = words >= 3 || skeleton.size() >= 15;
  // The same post seen again (a newer engagement count) is an update, not a duplicate.
  const bool seen_before =
      !in.platform_message_id.empty() && memory_->engagement.Find(post_key) != nullptr;
  if (substantial && !in.is_repost && !seen_before) {
    auto& memory = *memory_;
    if (const Memory::Seen* seen = memory.exact.Find(exact_hash); seen != nullptr) {
      if (author_key != 0 && seen->author == author_key) {
        filter("spam", Cat("the same author posted the same text ", Ago(now - seen->at)), 0.85);
      }
      filter("duplicate", Cat("the same text arrived ", Ago(now - seen->at)), 0.95);
    } else if (const Memory::Seen* near = memory.near.Find(near_hash); near != nullptr) {
      if (author_key != 0 && near->author == author_key) {
        filter("spam", Cat("the same author posted the same words ", Ago(now - near->at)), 0.8);
      }
      filter("near_duplicate",
             Cat("the same words with other handles or links arrived ", Ago(now - near->at)), 0.85);
    }
    memory.exact.Put(exact_hash, Memory::Seen{now, author_key});
    memory.near.Put(near_hash, Memory::Seen{now, author_key});
    memory.texts.emplace_back(now, std::make_pair(exact_hash, near_hash));
  }
  const bool bot_like = [&] {
    std::size_t digits = 0;
    while (digits < handle.size() && handle[handle.size() - 1 - digits] >= '0' &&
           handle[handle.size() - 1 - digits] <= '9') {
      ++digits;
    }
    return (digits >= 6 && in.followers < 50) || handle.ends_with("bot") ||
           handle.starts_with("bot") || handle.find("_bot") != std::string::npos;
  }();
  if (links >= 3) {
    filter("spam", Cat("a link farm: ", std::to_string(links), " links"), 0.85);
  } else if (cue(Cue::kComplaint).empty() &&
             (cue(Cue::kSpam).size() >= 2 ||
              (!cue(Cue::kSpam).empty() && (links > 0 || bot_like)))) {
    filter("spam",
           Cat("promotional wording ", Quoted(cue(Cue::kSpam)), links > 0 ? " with a link" : ""),
           0.8);
  } else if (hashtags >= 6 && links > 0) {
    filter("spam", Cat(std::to_string(hashtags), " hashtags and a link"), 0.75);
  } else if (bot_like && links > 0) {
    filter("spam",
           Cat("a bot-like account (@", handle, ", ", std::to_string(in.followers),
               " followers) posting a link"),
           0.7);
  }

  // Profanity and abuse.
  const bool addressed = !cue(Cue::kSecondPerson).empty();
  if (!r.profanity.empty()) {
    AddUnique(r.tags, "profanity");
    r.reasons.push_back({"tags", "profanity", 0.9, Cat("matched ", Quoted(r.profanity)), 0});
  }
  // An insult is abuse when aimed at someone: "you", or a handle without the writer blaming
  // themselves ("I'm such an idiot").
  const auto self_blame = [&] {
    const std::string lower_text = AsciiLowerCopy(normalized);
    return lower_text.find("i'm ") != std::string::npos ||
           lower_text.find("i am ") != std::string::npos ||
           lower_text.find(" me ") != std::string::npos;
  };
  if (!cue(Cue::kThreat).empty() ||
      (!cue(Cue::kInsult).empty() &&
       (addressed || (in.text.find('@') != std::string::npos && !self_blame())))) {
    AddUnique(r.tags, "abuse");
    std::vector<std::string_view> words_matched = cue(Cue::kThreat);
    for (const auto& w : cue(Cue::kInsult)) words_matched.push_back(w);
    for (const auto& w : r.profanity) words_matched.push_back(w);
    r.reasons.push_back({"tags", "abuse", cue(Cue::kThreat).empty() ? 0.75 : 0.9,
                         Cat("aimed at a person: ", Quoted(words_matched)), 0});
  }

  // Key mentions.
  r.authority = std::min(
      100.0, 20 * std::log10(static_cast<double>(std::max<std::int64_t>(in.followers, 0)) + 1) +
                 (in.verified ? 10 : 0));
  r.authority = std::round(r.authority * 10) / 10;
  r.influencer = in.followers >= config.influencer_followers;
  if (r.influencer) {
    AddUnique(r.tags, "influencer");
    r.reasons.push_back(
        {"key_mention", "influencer", 1,
         Cat("influencer ", Followers(in.followers), " followers, authority ", Round1(r.authority)),
         0});
  }
  const KeyCustomer* key = nullptr;
  if (auto it = compiled->key_by_handle.find(handle);
      !handle.empty() && it != compiled->key_by_handle.end())
    key = it->second;
  if (auto it = compiled->key_by_id.find(in.author_id);
      !key && !in.author_id.empty() && it != compiled->key_by_id.end())
    key = it->second;
  if (key != nullptr) {
    r.key_customer_tier = key->tier;
    AddUnique(r.tags, "key_customer");
    r.reasons.push_back(
        {"key_mention", "key_customer", 1, Cat("key customer, tier ", key->tier), 0});
  }
  std::optional<Timestamp> last_contact = in.last_contact_at;
  if (author_key != 0) {
    if (const Timestamp* seen = memory_->authors.Find(author_key); seen != nullptr) {
      if (!last_contact || *seen > *last_contact) last_contact = *seen;
    }
    memory_->authors.Put(author_key, now);
    memory_->author_order.emplace_back(now, author_key);
  }
  if (last_contact && *last_contact < now && now - *last_contact <= config.recent_customer_window) {
    r.recent_customer = true;
    AddUnique(r.tags, "recent_customer");
    r.reasons.push_back(
        {"key_mention", "recent_customer", 0.9, Cat("contacted us ", Ago(now - *last_contact)), 0});
  }
  const double engagement =
      static_cast<double>(in.metrics.likes) +
      2.0 * static_cast<double>(in.metrics.reposts + in.metrics.quotes + in.metrics.replies);
  if (engagement > 0) {
    const Timestamp observed = std::max(clock_now, now);
    double minutes = 1;
    double gained = engagement;
    if (!in.platform_message_id.empty()) {
      const std::uint64_t id = post_key;
      auto [entry, added] = memory_->engagement.TryEmplace(id);
      Memory::Engagement& e = *entry;
      if (added) {
        memory_->engagement_order.emplace_back(observed, id);
        e = {observed, engagement, observed, engagement};
      } else if (observed - e.first_at > config.top_mention_window) {
        e.first_at = e.last_at;  // the window slid past the first sample: start from the latest
        e.first = e.last;
      }
      if (!added && observed - e.first_at >= std::chrono::minutes(1)) {
        minutes = std::chrono::duration<double, std::ratio<60>>(observed - e.first_at).count();
        gained = engagement - e.first;
      } else if (in.created_at) {
        minutes = std::max(
            1.0, std::chrono::duration<double, std::ratio<60>>(observed - *in.created_at).count());
      }
      e.last_at = observed;
      e.last = engagement;
    }
    r.velocity = std::round(gained / minutes * 10) / 10;
    if (r.velocity >= config.top_mention_per_minute && engagement >= 20) {
      r.top_mention = true;
      AddUnique(r.tags, "top_mention");
      r.reasons.push_back({"key_mention", "top_mention", 0.8,
                           Cat("top mention: ", Round1(r.velocity), " engagements a minute"), 0});
    }
  }

  // Intent, risk, tier.
  const bool noise_filter =
      std::any_of(r.filters.begin(), r.filters.end(), [](const std::string& f) {
        return f == "repost" || f == "duplicate" || f == "near_duplicate" || f == "spam" ||
               f == "own_post" || f == "blocked_author";
      });
  const double s = sentiment.compound;
  const bool asks =
      in.text.find('?') != std::string::npos || in.text.find("\xC2\xBF") != std::string::npos;
  double confidence = 0.5;
  std::string because;
  const auto set_intent = [&](Intent intent, double c, std::string why) {
    r.intent = intent;
    confidence = std::min(0.99, c);
    because = std::move(why);
  };
  if (noise_filter) {
    set_intent(Intent::kNoise, 0.9, Cat("filtered: ", r.filters.front()));
  } else if (words == 0) {
    set_intent(Intent::kNoise, 0.7, "no words to act on");
  } else if (!cue(Cue::kCrisis).empty()) {
    set_intent(Intent::kPotentialCrisis,
               0.6 + 0.1 * static_cast<double>(cue(Cue::kCrisis).size()) + (s < -0.3 ? 0.1 : 0),
               Cat("crisis signs ", Quoted(cue(Cue::kCrisis))));
  } else if (!cue(Cue::kAccusation).empty() && (r.influencer || r.top_mention) && s < 0) {
    set_intent(Intent::kPotentialCrisis, 0.65,
               Cat("a public accusation ", Quoted(cue(Cue::kAccusation)), " with reach"));
  } else if (s <= -0.6 && r.top_mention) {
    set_intent(Intent::kPotentialCrisis, 0.6, "strongly negative and spreading fast");
  } else if (!cue(Cue::kUrgent).empty() && (s < 0.5 || cue(Cue::kPraise).empty())) {
    set_intent(Intent::kUrgentNeed, 0.7 + 0.05 * static_cast<double>(cue(Cue::kUrgent).size()),
               Cat("urgent need ", Quoted(cue(Cue::kUrgent))));
  } else if (!cue(Cue::kComplaint).empty() && s < 0.4) {
    set_intent(Intent::kDissatisfaction, 0.65 + std::min(0.3, std::max(0.0, -s) * 0.3),
               Cat("complaint ", Quoted(cue(Cue::kComplaint))));
  } else if (!cue(Cue::kAccusation).empty() && s < 0.3) {
    set_intent(Intent::kDissatisfaction, 0.7, Cat("an accusation ", Quoted(cue(Cue::kAccusation))));
  } else if (s <= -0.5 && !(asks && !cue(Cue::kQuestion).empty())) {
    set_intent(Intent::kDissatisfaction, 0.6 + std::min(0.3, -s * 0.3), "strongly negative");
  } else if (asks || !cue(Cue::kQuestion).empty()) {
    const bool both = asks && !cue(Cue::kQuestion).empty();
    set_intent(Intent::kQuestion, both ? 0.8 : 0.6,
               cue(Cue::kQuestion).empty() ? "asks a question"
                                           : Cat("asks ", Quoted(cue(Cue::kQuestion))));
  } else if (s <= -0.25) {
    set_intent(Intent::kDissatisfaction, 0.55, "negative");
  } else if (std::find(r.tags.begin(), r.tags.end(), "abuse") != r.tags.end() ||
             (!r.profanity.empty() && s < 0.3)) {
    set_intent(Intent::kDissatisfaction, 0.6,
               r.profanity.empty() ? Cat("swearing ", Quoted(cue(Cue::kInsult)))
                                   : Cat("swearing ", Quoted(r.profanity)));
  } else if (std::any_of(r.pii.begin(), r.pii.end(),
                         [](const PiiSpan& p) { return p.type != PiiType::kEmail; })) {
    set_intent(Intent::kQuestion, 0.6,
               "gives account or contact details: a request about their account");
  } else if (!cue(Cue::kIndustry).empty()) {
    set_intent(Intent::kIndustryReference, 0.6,
               Cat("about the industry ", Quoted(cue(Cue::kIndustry))));
  } else if ((!cue(Cue::kPraise).empty() && s >= 0.2) || s >= 0.5) {
    set_intent(Intent::kPositiveExperience, 0.6 + std::min(0.3, s * 0.3),
               cue(Cue::kPraise).empty() ? "positive" : Cat("praise ", Quoted(cue(Cue::kPraise))));
  } else {
    set_intent(Intent::kGeneralReference, 0.5, "mentions without a request or a feeling");
  }
  r.reasons.push_back(
      {"intent", std::string(domain::ToString(r.intent)), confidence, std::move(because), 0});

  switch (r.intent) {
    case Intent::kQuestion:
    case Intent::kDissatisfaction:
    case Intent::kUrgentNeed:
    case Intent::kPotentialCrisis:
      r.tier = 1;
      break;
    case Intent::kNoise:
      r.tier = 0;
      break;
    default:
      r.tier = 2;
  }
  if (r.intent != Intent::kNoise) {
    if (!cue(Cue::kAccusation).empty()) {
      r.risk = Risk::kBrandAccusation;
      r.reasons.push_back({"risk", "brand_accusation", 0.75,
                           Cat("accuses the brand: ", Quoted(cue(Cue::kAccusation))), 0});
    } else if (r.tier == 1 && (!cue(Cue::kTransaction).empty() || !r.pii.empty())) {
      r.risk = Risk::kTransactionalQuery;
      r.reasons.push_back({"risk", "transactional_query", 0.7,
                           cue(Cue::kTransaction).empty()
                               ? "gives account details"
                               : Cat("about their own ", Quoted(cue(Cue::kTransaction))),
                           0});
    } else if (r.intent == Intent::kQuestion) {
      r.risk = Risk::kFactQuery;
      r.reasons.push_back({"risk", "fact_query", cue(Cue::kFact).empty() ? 0.55 : 0.75,
                           cue(Cue::kFact).empty()
                               ? "a general question"
                               : Cat("asks for facts ", Quoted(cue(Cue::kFact))),
                           0});
    }
  }

  // Keyword tables.
  int keyword_points = 0;
  for (const KeywordHit& hit : r.keyword_hits) {
    for (const std::string& tag : hit.entry->tags) AddUnique(r.tags, tag);
    const int points = hit.entry->priority.value_or(0);
    if (r.category.empty() || points > keyword_points) {
      if (!hit.entry->category.empty()) r.category = hit.entry->category;
      if (hit.entry->team_id) r.team = hit.entry->team_id.ToString();
    }
    keyword_points = std::max(keyword_points, points);
    r.reasons.push_back({"keyword", std::string(hit.table), 1,
                         hit.language.empty()
                             ? Cat("matched \"", hit.pattern, "\"")
                             : Cat("matched \"", hit.pattern, "\" (", hit.language, ")"),
                         0});
  }
  if (!r.pii.empty()) {
    AddUnique(r.tags, "pii");
    std::vector<std::string> types;
    for (const PiiSpan& span : r.pii) AddUnique(types, std::string(domain::ToString(span.type)));
    r.reasons.push_back({"pii", types.front(), 0.9,
                         Cat("personal data in the text (", Quoted(types, 6),
                             "): redacted in public views; move to a private channel"),
                         0});
  }

  r.actionable = r.tier == 1 || (r.tier == 2 && (key != nullptr || r.influencer));
  r.reasons.push_back({"actionable", r.actionable ? "true" : "false", confidence,
                       r.actionable ? (r.tier == 1 ? Cat("tier 1: ", domain::ToString(r.intent))
                                                   : "tier 2 from a key author")
                                    : (r.tier == 0 ? "noise" : "tier 2: no reply needed"),
                       0});

  // Priority: points from what was found, each listed.
  if (r.tier != 0) {
    std::string summary;  // the reasons' words, joined
    const auto add = [&](int points, std::string value, std::string why) {
      if (points == 0) return;
      r.priority += points;
      if (!summary.empty()) summary += ", ";
      summary += why;
      r.reasons.push_back({"priority", std::move(value), 1, std::move(why), points});
    };
    static constexpr std::array<int, 8> kIntentPoints{40, 50, 60, 70, 15, 20, 10, 0};
    static constexpr std::array<std::string_view, 8> kIntentWords{
        "question",          "dissatisfied", "urgent need",        "potential crisis",
        "general reference", "positive",     "industry reference", "noise"};
    const auto intent_index = static_cast<std::size_t>(r.intent);
    add(kIntentPoints[intent_index], std::string(domain::ToString(r.intent)),
        std::string(kIntentWords[intent_index]));
    if (r.risk == Risk::kBrandAccusation) add(10, "brand_accusation", "brand accusation");
    if (r.risk == Risk::kTransactionalQuery) add(5, "transactional_query", "about their account");
    if (s < -0.05)
      add(static_cast<int>(std::lround(-s * 10)), Round1(r.sentiment),
          Cat("sentiment ", Round1(r.sentiment), "/10"));
    if (r.influencer)
      add(static_cast<int>(std::lround(r.authority * 0.15)), "influencer",
          Cat("influencer ", Followers(in.followers), " followers"));
    if (key != nullptr) {
      const int points = key->tier == "platinum" ? 20 : key->tier == "gold" ? 15 : 10;
      add(points, key->tier, Cat("key customer (", key->tier, ")"));
    }
    if (r.recent_customer && last_contact)
      add(10, "recent_customer", Cat("contacted us ", Ago(now - *last_contact)));
    if (r.top_mention) add(10, "top_mention", Cat("top mention, ", Round1(r.velocity), "/min"));
    if (keyword_points > 0)
      add(keyword_points, r.category,
          Cat("topic ",
              r.category.empty() ? std::string_view("keyword") : std::string_view(r.category)));
    if (!r.pii.empty() && in.channel != domain::ChannelKind::kEmail &&
        in.channel != domain::ChannelKind::kWhatsApp) {
      add(5, "pii", "personal data posted");
    }
    r.priority = std::clamp(r.priority, 0, 100);
    std::string line = r.priority >= 70 ? "P1: " : r.priority >= 40 ? "P2: " : "P3: ";
    line += summary;
    r.reasons.push_back({"priority", std::to_string(r.priority), 1, std::move(line), r.priority});
  }

  // Rules, in order; each fires at most once, and a bounded number of passes lets a rule see what
  // an earlier one set without looping.
  thread_local std::vector<char> fired;
  fired.assign(compiled->rules.size(), 0);
  for (int pass = 0; pass < 3; ++pass) {
    bool changed = false;
    bool stopped = false;
    for (std::size_t i = 0; i < compiled->rules.size() && !stopped; ++i) {
      if (fired[i]) continue;
      const domain::Rule& rule = *compiled->rules[i];
      const bool holds =
          std::all_of(rule.conditions.begin(), rule.conditions.end(),
                      [&](const domain::Condition& c) { return Holds(c, r, in, *compiled, now); });
      if (!holds) continue;
      fired[i] = 1;
      changed = true;
      for (const domain::RuleAction& action : rule.actions) Apply(rule, action, r);
      stopped = rule.stop_processing;
    }
    if (!changed || stopped) break;
  }
  r.priority = std::clamp(r.priority, 0, 100);
  return r;
}

std::string ToJsonLine(const TriageResult& r) {
  nlohmann::json j;
  j["actionable"] = r.actionable;
  j["tier"] = r.tier;
  j["intent"] = domain::ToString(r.intent);
  j["risk"] =
      r.risk == Risk::kNone ? nlohmann::json(nullptr) : nlohmann::json(domain::ToString(r.risk));
  j["sentiment"] = r.sentiment;
  j["polarity"] = domain::ToString(r.polarity);
  j["language"] = r.language.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.language);
  j["pii"] = nlohmann::json::array();
  for (const PiiSpan& span : r.pii) {
    j["pii"].push_back(
        {{"type", domain::ToString(span.type)}, {"start", span.begin}, {"end", span.end}});
  }
  j["tags"] = r.tags;
  j["priority"] = r.priority;
  j["reasons"] = nlohmann::json::array();
  for (const Reason& reason : r.reasons) {
    nlohmann::json item{{"field", reason.field},
                        {"value", reason.value},
                        {"confidence", std::round(reason.confidence * 100) / 100},
                        {"because", reason.because}};
    if (reason.points != 0) item["points"] = reason.points;
    j["reasons"].push_back(std::move(item));
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace parley::triage
