// Triage (C2): from one inbound message to an explained classification, a priority and the rule
// actions that apply. The server's engine and `parley triage` both call Triager::Triage.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "parley/core/clock.h"
#include "parley/core/result.h"
#include "parley/core/time.h"
#include "parley/domain/enum_names.h"
#include "parley/domain/message.h"
#include "parley/domain/triage_config.h"
#include "parley/triage/pii.h"

namespace parley::triage {

enum class Intent {
  kQuestion,
  kDissatisfaction,
  kUrgentNeed,
  kPotentialCrisis,
  kGeneralReference,
  kPositiveExperience,
  kIndustryReference,
  kNoise,
};
enum class Risk { kNone, kFactQuery, kTransactionalQuery, kBrandAccusation };
enum class Polarity { kNegative, kNeutral, kPositive };

struct KeyCustomer {
  std::string handle;  // without '@', any case
  std::string platform_user_id;
  std::string tier;  // "platinum", "gold", "silver", or the CRM's own word
};

// A weekly schedule in a named time zone (IANA, e.g. "Europe/London"), for rule conditions.
struct BusinessHours {
  std::string time_zone = "UTC";
  std::array<bool, 7> days{false, true, true, true, true, true, false};  // Sunday first
  int open_minute = 9 * 60;
  int close_minute = 17 * 60;
};

// Everything that steers triage for one workspace. Parsed from JSON by ParseTriageConfig.
struct TriageConfig {
  bool use_defaults = true;  // the shipped care-topic keyword tables
  std::vector<domain::KeywordTable> keyword_tables;
  std::vector<domain::Rule> rules;
  std::vector<std::string> brand_handles;  // the brand's own accounts: their posts are not work
  std::vector<std::string> blocked_authors;
  std::vector<KeyCustomer> key_customers;
  std::int64_t influencer_followers = 10000;
  core::Duration recent_customer_window = std::chrono::hours(24);
  core::Duration duplicate_window = std::chrono::hours(24);
  core::Duration top_mention_window = std::chrono::minutes(10);
  double top_mention_per_minute = 10;  // engagements per minute
  std::optional<BusinessHours> business_hours;
};

// Parses the JSON form documented in docs/triage.md; errors name the field.
core::Result<TriageConfig> ParseTriageConfig(std::string_view json);
// One keyword table or rule in that JSON form, as the configuration file and the API both write it;
// errors name the field, starting from `where`. The writers give the form back (with the id when
// the value has one), so that reading what they wrote gives the same value.
core::Result<domain::KeywordTable> ParseKeywordTable(const nlohmann::json& j,
                                                     const std::string& where);
core::Result<domain::Rule> ParseRule(const nlohmann::json& j, const std::string& where);
nlohmann::json KeywordTableJson(const domain::KeywordTable& table);
nlohmann::json RuleJson(const domain::Rule& rule);
// Reads a CSV of key customers: handle,platform_user_id,tier (a header line is skipped).
core::Result<std::vector<KeyCustomer>> ParseKeyCustomersCsv(std::string_view csv);
// The same from files; errors name the file.
core::Result<TriageConfig> LoadTriageConfig(const std::string& path);
core::Result<std::vector<KeyCustomer>> LoadKeyCustomersCsv(const std::string& path);

struct TriageInput;
// Reads one line of `parley triage`'s input (docs/triage.md); the error names the wrong field.
core::Result<TriageInput> ParseTriageInput(std::string_view json_line);

struct TriageInput {
  std::string text;
  domain::ChannelKind channel = domain::ChannelKind::kGeneric;
  std::string author_handle;
  std::string author_id;
  std::int64_t followers = 0;
  bool verified = false;
  std::optional<core::Timestamp> created_at;
  std::string language_hint;  // the platform's own guess
  std::string platform_message_id;
  domain::Metrics metrics;
  bool is_repost = false;
  std::optional<core::Timestamp> last_contact_at;  // the customer's previous contact, if known
};

// The input for a message as a platform delivered it.
TriageInput InputFor(const domain::Message& message);

// One line of explanation: which field, what it was set to, how sure, and why.
struct Reason {
  std::string_view field;  // one of a fixed set of names ("intent", "priority", ...), static
  std::string value;
  double confidence = 1;
  std::string because;
  int points = 0;  // priority points this contributed
};

// Points into the compiled configuration, which the result keeps alive (`configuration`).
struct KeywordHit {
  std::string_view table;
  std::string_view language;
  std::string_view pattern;
  const domain::KeywordEntry* entry = nullptr;
};

struct ActionTaken {
  std::string rule;
  domain::ActionKind kind = domain::ActionKind::kTag;
  std::string argument;
};

class Compiled;

struct TriageResult {
  bool actionable = false;
  int tier = 2;  // 1, 2, or 0 for noise
  Intent intent = Intent::kGeneralReference;
  Risk risk = Risk::kNone;
  double sentiment = 5.5;  // 1..10
  double compound = 0;     // VADER compound, -1..1
  Polarity polarity = Polarity::kNeutral;
  std::string language;
  std::vector<PiiSpan> pii;
  std::string public_text;  // the text with personal data redacted
  std::vector<std::string> tags;
  int priority = 0;  // 0..100
  std::vector<Reason> reasons;

  std::vector<KeywordHit> keyword_hits;
  std::vector<std::string> filters;    // repost, duplicate, near_duplicate, spam, own_post, ...
  std::vector<std::string> profanity;  // the words that matched
  std::string category;
  std::string team;
  std::string agent;
  double authority = 0;  // 0..100, see docs/triage.md
  bool influencer = false;
  std::string key_customer_tier;  // empty: not a key customer
  bool recent_customer = false;
  double velocity = 0;  // engagements per minute
  bool top_mention = false;
  std::vector<ActionTaken> actions;
  bool hide = false;
  bool close_as_noise = false;
  bool require_approval = false;
  bool escalate = false;
  std::vector<std::string> alerts;
  std::string auto_acknowledge;  // canned response to send

  // The configuration this result was made with: the keyword hits point into it, so it lives as
  // long as the result does, whatever Configure does meanwhile.
  std::shared_ptr<const Compiled> configuration;
};

// Not thread-safe for Triage (it remembers recent posts, authors and engagement); Configure may be
// called from another thread and takes effect for the next message.
class Triager {
 public:
  // Compiles the configuration; an invalid pattern is refused with its table, entry, position and
  // reason.
  static core::Result<std::unique_ptr<Triager>> Create(TriageConfig config,
                                                       const core::Clock& clock);
  ~Triager();

  core::Status Configure(TriageConfig config);
  // A triager with this one's compiled configuration and nothing remembered yet (no compile).
  std::unique_ptr<Triager> Fresh() const;
  TriageResult Triage(const TriageInput& input);

  // How many patterns the compiled database holds (tables, cues and profanity).
  std::size_t pattern_count() const;

 private:
  Triager(const core::Clock& clock);
  struct Memory;
  const core::Clock& clock_;
  std::shared_ptr<const Compiled> compiled_;
  std::unique_ptr<Memory> memory_;
};

// The JSON line `parley triage` writes: exactly the classification fields plus tags, priority
// and reasons.
std::string ToJsonLine(const TriageResult& result);

}  // namespace parley::triage

namespace parley::domain {
template <>
struct EnumNames<triage::Intent> {
  static constexpr std::array<std::pair<triage::Intent, std::string_view>, 8> kNames{{
      {triage::Intent::kQuestion, "question"},
      {triage::Intent::kDissatisfaction, "dissatisfaction"},
      {triage::Intent::kUrgentNeed, "urgent_need"},
      {triage::Intent::kPotentialCrisis, "potential_crisis"},
      {triage::Intent::kGeneralReference, "general_reference"},
      {triage::Intent::kPositiveExperience, "positive_experience"},
      {triage::Intent::kIndustryReference, "industry_reference"},
      {triage::Intent::kNoise, "noise"},
  }};
};
template <>
struct EnumNames<triage::Risk> {
  static constexpr std::array<std::pair<triage::Risk, std::string_view>, 4> kNames{{
      {triage::Risk::kNone, "none"},
      {triage::Risk::kFactQuery, "fact_query"},
      {triage::Risk::kTransactionalQuery, "transactional_query"},
      {triage::Risk::kBrandAccusation, "brand_accusation"},
  }};
};
template <>
struct EnumNames<triage::Polarity> {
  static constexpr std::array<std::pair<triage::Polarity, std::string_view>, 3> kNames{{
      {triage::Polarity::kNegative, "negative"},
      {triage::Polarity::kNeutral, "neutral"},
      {triage::Polarity::kPositive, "positive"},
  }};
};
}  // namespace parley::domain
