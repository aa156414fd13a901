#include "parley/triage/compiled.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

#include "parley/triage/lexicons.h"

namespace parley::triage {
namespace {

constexpr std::array<std::pair<Cue, std::string_view>, static_cast<std::size_t>(Cue::kCount)>
    kCueNames{{
        {Cue::kQuestion, "question"},
        {Cue::kComplaint, "complaint"},
        {Cue::kUrgent, "urgent"},
        {Cue::kCrisis, "crisis"},
        {Cue::kAccusation, "accusation"},
        {Cue::kTransaction, "transaction"},
        {Cue::kFact, "fact"},
        {Cue::kPraise, "praise"},
        {Cue::kIndustry, "industry"},
        {Cue::kSpam, "spam"},
        {Cue::kInsult, "insult"},
        {Cue::kThreat, "threat"},
        {Cue::kSecondPerson, "second_person"},
    }};

// The shipped defaults, parsed once: care-topic tables and the classifier's cues.
struct Defaults {
  std::vector<domain::KeywordTable> tables;
  std::vector<std::pair<Cue, std::string>> cues;
  std::vector<std::pair<std::string, std::string>> profanity;  // language, word
  std::string error;  // why the shipped defaults could not be read; every Build then fails
};

const Defaults& LoadDefaults() {
  static const Defaults defaults = [] {
    Defaults d;
    const auto documents = nlohmann::json::parse(lexicons::Defaults(), nullptr, false);
    if (documents.is_discarded()) {
      d.error = "the shipped triage defaults are not JSON";
      return d;
    }
    try {
      for (const auto& document : documents) {
        if (document.contains("keyword_tables")) {
          auto parsed = ParseTriageConfig(document.dump());
          if (!parsed.ok()) {
            d.error = "the shipped keyword tables: " + parsed.error().message;
            return d;
          }
          d.tables = std::move(parsed->keyword_tables);
        }
        if (document.contains("cues")) {
          for (const auto& [cue, name] : kCueNames) {
            const auto& by_language = document.at("cues").at(std::string(name));
            for (const auto& [language, phrases] : by_language.items()) {
              for (const auto& phrase : phrases)
                d.cues.emplace_back(cue, phrase.get<std::string>());
            }
          }
        }
      }
    } catch (const nlohmann::json::exception& e) {
      d.error = std::string("the shipped cue phrases: ") + e.what();
      return d;
    }
    // Words the lists hold that are ordinary in that language ("comer" is Portuguese for "to eat").
    std::unordered_set<std::string> seen;
    for (const auto& document : documents) {
      if (!document.contains("profanity_exceptions")) continue;
      for (const auto& [language, words] : document.at("profanity_exceptions").items()) {
        for (const auto& word : words) seen.insert(language + "\t" + word.get<std::string>());
      }
    }
    std::string_view words = lexicons::NaughtyWords();
    while (!words.empty()) {
      const std::size_t end = words.find('\n');
      const std::string_view line = words.substr(0, end);
      words = end == std::string_view::npos ? std::string_view() : words.substr(end + 1);
      const std::size_t tab = line.find('\t');
      if (tab == std::string_view::npos) continue;
      std::string language(line.substr(0, tab));
      std::string word = AsciiLowerCopy(line.substr(tab + 1));
      // One- and two-byte entries (single CJK characters, "ho") match inside ordinary words.
      if (word.size() < 3) continue;
      if (seen.insert(language + "\t" + word).second)
        d.profanity.emplace_back(std::move(language), std::move(word));
    }
    return d;
  }();
  return defaults;
}

constexpr std::array<std::string_view, 27> kFields{"text",
                                                   "intent",
                                                   "risk",
                                                   "tier",
                                                   "actionable",
                                                   "sentiment",
                                                   "polarity",
                                                   "language",
                                                   "channel",
                                                   "author.handle",
                                                   "author.id",
                                                   "author.followers",
                                                   "author.verified",
                                                   "tags",
                                                   "category",
                                                   "priority",
                                                   "key_customer",
                                                   "key_customer_tier",
                                                   "influencer",
                                                   "recent_customer",
                                                   "top_mention",
                                                   "pii",
                                                   "filters",
                                                   "keyword_tables",
                                                   "authority",
                                                   "velocity",
                                                   "team"};

bool IsNumber(const std::string& text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

core::Error Invalid(std::string message) {
  return core::MakeError(core::ErrorCode::kInvalidArgument, std::move(message));
}

core::Status CheckRule(const domain::Rule& rule, const Compiled& compiled) {
  const std::string where = "rule \"" + rule.name + "\"";
  for (const domain::Condition& condition : rule.conditions) {
    using Op = domain::ConditionOperator;
    if (condition.op == Op::kMatchesTable) {
      if (condition.values.empty()) return Invalid(where + ": matches_table needs a table name");
      for (const std::string& name : condition.values) {
        const bool known =
            std::any_of(compiled.tables.begin(), compiled.tables.end(),
                        [&](const domain::KeywordTable& t) { return t.name == name; });
        if (!known) return Invalid(where + ": no keyword table named \"" + name + "\"");
      }
      continue;
    }
    if (condition.op == Op::kInBusinessHours) {
      if (!compiled.config.business_hours) {
        return Invalid(where + ": in_business_hours needs business_hours in the configuration");
      }
      continue;
    }
    if (std::find(kFields.begin(), kFields.end(), condition.field) == kFields.end()) {
      return Invalid(where + ": unknown field \"" + condition.field + "\"");
    }
    if (condition.values.empty())
      return Invalid(where + ": condition on " + condition.field + " needs a value");
    if (condition.op == Op::kAtLeast || condition.op == Op::kAtMost ||
        condition.op == Op::kBetween) {
      const std::size_t wanted = condition.op == Op::kBetween ? 2 : 1;
      if (condition.values.size() != wanted ||
          !std::all_of(condition.values.begin(), condition.values.end(), IsNumber)) {
        return Invalid(where + ": " + std::string(domain::ToString(condition.op)) + " on " +
                       condition.field + " needs " + (wanted == 2 ? "two numbers" : "a number"));
      }
    }
  }
  for (const domain::RuleAction& action : rule.actions) {
    using Kind = domain::ActionKind;
    const bool needs_argument = action.kind == Kind::kTag || action.kind == Kind::kSetPriority ||
                                action.kind == Kind::kAssignTeam ||
                                action.kind == Kind::kAssignAgent ||
                                action.kind == Kind::kAutoAcknowledge;
    if (needs_argument && action.argument.empty()) {
      return Invalid(where + ": " + std::string(domain::ToString(action.kind)) +
                     " needs an argument");
    }
    if (action.kind == Kind::kSetPriority) {
      int priority = -1;
      const auto [end, ec] = std::from_chars(
          action.argument.data(), action.argument.data() + action.argument.size(), priority);
      if (ec != std::errc() || end != action.argument.data() + action.argument.size() ||
          priority < 0 || priority > 100) {
        return Invalid(where + ": set_priority needs a number from 0 to 100");
      }
    }
  }
  return core::Ok();
}

}  // namespace

core::Result<std::shared_ptr<const Compiled>> Compiled::Build(TriageConfig config) {
  auto compiled = std::make_shared<Compiled>();
  const Defaults& defaults = LoadDefaults();
  if (!defaults.error.empty()) return core::MakeError(core::ErrorCode::kInternal, defaults.error);
  if (config.use_defaults) compiled->tables = defaults.tables;
  for (const domain::KeywordTable& table : config.keyword_tables) compiled->tables.push_back(table);
  compiled->config = std::move(config);

  std::vector<PatternSpec> specs;
  for (std::uint32_t t = 0; t < compiled->tables.size(); ++t) {
    const domain::KeywordTable& table = compiled->tables[t];
    for (std::uint32_t e = 0; e < table.entries.size(); ++e) {
      const domain::KeywordEntry& entry = table.entries[e];
      PatternSpec spec;
      spec.expression = entry.pattern;
      spec.regex = entry.kind == domain::PatternKind::kRegex;
      spec.case_sensitive = entry.case_sensitive;
      if (NormalizeForMatching(spec.expression).find_first_not_of(' ') == std::string::npos) {
        return Invalid("keyword table \"" + table.name + "\" entry " + std::to_string(e + 1) +
                       ": the pattern is empty");
      }
      specs.push_back(std::move(spec));
      compiled->patterns.push_back(
          {PatternInfo::Source::kKeyword, t, e, Cue::kQuestion, entry.pattern, table.language});
    }
  }
  for (const auto& [cue, phrase] : defaults.cues) {
    specs.push_back({phrase, false, false});
    compiled->patterns.push_back({PatternInfo::Source::kCue, 0, 0, cue, phrase, std::string()});
  }
  for (const auto& [language, word] : defaults.profanity) {
    specs.push_back({word, false, false});
    compiled->patterns.push_back(
        {PatternInfo::Source::kProfanity, 0, 0, Cue::kQuestion, word, language});
  }

  auto set = PatternSet::Compile(specs);
  if (auto* error = std::get_if<PatternError>(&set)) {
    const PatternInfo& info = compiled->patterns.at(error->index);
    if (info.source != PatternInfo::Source::kKeyword) {
      return core::MakeError(
          core::ErrorCode::kInternal,
          "a shipped triage pattern does not compile: " + info.text + ": " + error->reason);
    }
    const domain::KeywordTable& table = compiled->tables[info.table];
    std::string message = "keyword table \"" + table.name + "\"" +
                          (table.language.empty() ? "" : " (" + table.language + ")") + " entry " +
                          std::to_string(info.entry + 1) + " pattern \"" + info.text + "\": ";
    if (error->position) message += "at position " + std::to_string(*error->position) + ": ";
    message += error->reason;
    return Invalid(std::move(message));
  }
  compiled->set = std::move(std::get<PatternSet>(set));

  for (const std::string& handle : compiled->config.brand_handles) {
    compiled->brand_handles.insert(
        AsciiLowerCopy(handle.starts_with('@') ? handle.substr(1) : handle));
  }
  for (const std::string& handle : compiled->config.blocked_authors) {
    compiled->blocked_authors.insert(
        AsciiLowerCopy(handle.starts_with('@') ? handle.substr(1) : handle));
  }
  for (const KeyCustomer& customer : compiled->config.key_customers) {
    if (!customer.handle.empty()) {
      compiled->key_by_handle[AsciiLowerCopy(
          customer.handle.starts_with('@') ? customer.handle.substr(1) : customer.handle)] =
          &customer;
    }
    if (!customer.platform_user_id.empty())
      compiled->key_by_id[customer.platform_user_id] = &customer;
  }
  if (compiled->config.business_hours &&
      !cctz::load_time_zone(compiled->config.business_hours->time_zone, &compiled->zone)) {
    return Invalid("business_hours.time_zone: unknown time zone \"" +
                   compiled->config.business_hours->time_zone + "\"");
  }
  for (const domain::Rule& rule : compiled->config.rules) {
    PARLEY_TRY(CheckRule(rule, *compiled));
    if (rule.enabled) compiled->rules.push_back(&rule);
  }
  std::stable_sort(
      compiled->rules.begin(), compiled->rules.end(),
      [](const domain::Rule* a, const domain::Rule* b) { return a->order < b->order; });
  return std::shared_ptr<const Compiled>(std::move(compiled));
}

}  // namespace parley::triage
