// The JSON form of a triage configuration (docs/triage.md).
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "parley/core/id.h"
#include "parley/core/time.h"
#include "parley/domain/json_codec.h"
#include "parley/triage/triage.h"

namespace parley::triage {
namespace {

using nlohmann::json;

core::Error Invalid(const std::string& where, const std::string& what) {
  return core::MakeError(core::ErrorCode::kInvalidArgument, where + ": " + what);
}

core::Status Strings(const json& value, const std::string& where, std::vector<std::string>& out) {
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
    return core::Ok();
  }
  if (!value.is_array()) return Invalid(where, "must be a string or a list of strings");
  for (const json& item : value) {
    if (!item.is_string()) return Invalid(where, "must be a list of strings");
    out.push_back(item.get<std::string>());
  }
  return core::Ok();
}

core::Result<std::string> String(const json& object, const char* key, const std::string& where) {
  if (!object.contains(key)) return std::string();
  const json& value = object.at(key);
  if (!value.is_string()) return Invalid(where + "." + key, "must be a string");
  return value.get<std::string>();
}

core::Result<double> Number(const json& object, const char* key, const std::string& where,
                            double fallback) {
  if (!object.contains(key)) return fallback;
  const json& value = object.at(key);
  if (!value.is_number()) return Invalid(where + "." + key, "must be a number");
  return value.get<double>();
}

core::Result<bool> Bool(const json& object, const char* key, const std::string& where,
                        bool fallback) {
  if (!object.contains(key)) return fallback;
  const json& value = object.at(key);
  if (!value.is_boolean()) return Invalid(where + "." + key, "must be true or false");
  return value.get<bool>();
}

core::Result<int> Minute(const std::string& text, const std::string& where) {
  int hours = 0;
  int minutes = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  auto [after_hours, e1] = std::from_chars(p, end, hours);
  if (e1 != std::errc() || after_hours == end || *after_hours != ':') {
    return Invalid(where, "must be HH:MM");
  }
  auto [after_minutes, e2] = std::from_chars(after_hours + 1, end, minutes);
  if (e2 != std::errc() || after_minutes != end || hours < 0 || hours > 24 || minutes < 0 ||
      minutes > 59) {
    return Invalid(where, "must be HH:MM");
  }
  return hours * 60 + minutes;
}

core::Status ParseTableInto(const json& j, const std::string& where, domain::KeywordTable& table) {
  PARLEY_TRY(domain::CheckKnownFields(j, where, {"name", "language", "entries", "id"}));
  PARLEY_ASSIGN_OR_RETURN(table.name, String(j, "name", where));
  if (table.name.empty()) return Invalid(where + ".name", "is required");
  PARLEY_ASSIGN_OR_RETURN(table.language, String(j, "language", where));
  if (!j.contains("entries") || !j.at("entries").is_array()) {
    return Invalid(where + ".entries", "must be a list");
  }
  std::size_t index = 0;
  for (const json& e : j.at("entries")) {
    const std::string at = where + ".entries[" + std::to_string(index++) + "]";
    PARLEY_TRY(domain::CheckKnownFields(
        e, at,
        {"pattern", "patterns", "kind", "case_sensitive", "tags", "category", "team", "priority"}));
    domain::KeywordEntry entry;
    std::vector<std::string> patterns;
    if (e.contains("pattern")) PARLEY_TRY(Strings(e.at("pattern"), at + ".pattern", patterns));
    if (e.contains("patterns")) PARLEY_TRY(Strings(e.at("patterns"), at + ".patterns", patterns));
    if (patterns.empty()) return Invalid(at, "needs a pattern");
    PARLEY_ASSIGN_OR_RETURN(const std::string kind, String(e, "kind", at));
    if (!kind.empty()) {
      const auto parsed = domain::ParseEnum<domain::PatternKind>(kind);
      if (!parsed) return Invalid(at + ".kind", "must be word, phrase or regex");
      entry.kind = *parsed;
    } else {
      entry.kind = domain::PatternKind::kPhrase;
    }
    PARLEY_ASSIGN_OR_RETURN(entry.case_sensitive, Bool(e, "case_sensitive", at, false));
    if (e.contains("tags")) PARLEY_TRY(Strings(e.at("tags"), at + ".tags", entry.tags));
    PARLEY_ASSIGN_OR_RETURN(entry.category, String(e, "category", at));
    if (e.contains("team")) {
      const json& team = e.at("team");
      const std::string text = team.is_number_integer() ? std::to_string(team.get<std::int64_t>())
                               : team.is_string()       ? team.get<std::string>()
                                                        : std::string();
      const auto id = core::ParseId<domain::TeamId>(text);
      if (!id) return Invalid(at + ".team", "must be a team id");
      entry.team_id = *id;
    }
    if (e.contains("priority")) {
      if (!e.at("priority").is_number_integer()) return Invalid(at + ".priority", "must be 0..100");
      const int priority = e.at("priority").get<int>();
      if (priority < 0 || priority > 100) return Invalid(at + ".priority", "must be 0..100");
      entry.priority = priority;
    }
    for (std::string& pattern : patterns) {
      if (pattern.empty()) return Invalid(at, "a pattern is empty");
      domain::KeywordEntry copy = entry;
      copy.pattern = std::move(pattern);
      table.entries.push_back(std::move(copy));
    }
  }
  return core::Ok();
}

core::Status ParseRuleInto(const json& j, const std::string& where, domain::Rule& rule) {
  PARLEY_TRY(domain::CheckKnownFields(j, where,
                                      {"name", "order", "enabled", "when", "then", "stop", "id"}));
  PARLEY_ASSIGN_OR_RETURN(rule.name, String(j, "name", where));
  if (rule.name.empty()) return Invalid(where + ".name", "is required");
  PARLEY_ASSIGN_OR_RETURN(const double order, Number(j, "order", where, 0));
  rule.order = static_cast<int>(order);
  PARLEY_ASSIGN_OR_RETURN(rule.enabled, Bool(j, "enabled", where, true));
  PARLEY_ASSIGN_OR_RETURN(rule.stop_processing, Bool(j, "stop", where, false));
  if (j.contains("when")) {
    if (!j.at("when").is_array()) return Invalid(where + ".when", "must be a list");
    std::size_t index = 0;
    for (const json& c : j.at("when")) {
      const std::string at = where + ".when[" + std::to_string(index++) + "]";
      PARLEY_TRY(domain::CheckKnownFields(c, at, {"field", "op", "value", "values"}));
      domain::Condition condition;
      PARLEY_ASSIGN_OR_RETURN(condition.field, String(c, "field", at));
      PARLEY_ASSIGN_OR_RETURN(const std::string op, String(c, "op", at));
      const auto parsed = domain::ParseEnum<domain::ConditionOperator>(op.empty() ? "equals" : op);
      if (!parsed) return Invalid(at + ".op", "unknown operator \"" + op + "\"");
      condition.op = *parsed;
      for (const char* key : {"value", "values"}) {
        if (!c.contains(key)) continue;
        const json& v = c.at(key);
        if (v.is_number() || v.is_boolean()) {
          condition.values.push_back(v.dump());
        } else if (v.is_array()) {
          for (const json& item : v) {
            condition.values.push_back(item.is_string() ? item.get<std::string>() : item.dump());
          }
        } else {
          PARLEY_TRY(Strings(v, at + "." + key, condition.values));
        }
      }
      if (condition.field.empty() && condition.op != domain::ConditionOperator::kInBusinessHours &&
          condition.op != domain::ConditionOperator::kMatchesTable) {
        return Invalid(at + ".field", "is required");
      }
      rule.conditions.push_back(std::move(condition));
    }
  }
  if (!j.contains("then") || !j.at("then").is_array() || j.at("then").empty()) {
    return Invalid(where + ".then", "needs at least one action");
  }
  std::size_t index = 0;
  for (const json& a : j.at("then")) {
    const std::string at = where + ".then[" + std::to_string(index++) + "]";
    PARLEY_TRY(domain::CheckKnownFields(a, at, {"action", "argument"}));
    PARLEY_ASSIGN_OR_RETURN(const std::string kind, String(a, "action", at));
    const auto parsed = domain::ParseEnum<domain::ActionKind>(kind);
    if (!parsed) return Invalid(at + ".action", "unknown action \"" + kind + "\"");
    domain::RuleAction action;
    action.kind = *parsed;
    if (a.contains("argument")) {
      const json& argument = a.at("argument");
      action.argument = argument.is_string() ? argument.get<std::string>() : argument.dump();
    }
    rule.actions.push_back(std::move(action));
  }
  return core::Ok();
}

std::int64_t Count(const json& object, const char* key) {
  if (!object.contains(key) || !object.at(key).is_number_integer()) return 0;
  return object.at(key).get<std::int64_t>();
}

}  // namespace

core::Result<domain::KeywordTable> ParseKeywordTable(const json& j, const std::string& where) {
  if (!j.is_object()) return Invalid(where, "must be an object");
  domain::KeywordTable table;
  PARLEY_TRY(ParseTableInto(j, where, table));
  return table;
}

core::Result<domain::Rule> ParseRule(const json& j, const std::string& where) {
  if (!j.is_object()) return Invalid(where, "must be an object");
  domain::Rule rule;
  PARLEY_TRY(ParseRuleInto(j, where, rule));
  return rule;
}

json KeywordTableJson(const domain::KeywordTable& table) {
  json entries = json::array();
  for (const domain::KeywordEntry& entry : table.entries) {
    json e = {{"pattern", entry.pattern}, {"kind", domain::ToString(entry.kind)}};
    if (entry.case_sensitive) e["case_sensitive"] = true;
    if (!entry.tags.empty()) e["tags"] = entry.tags;
    if (!entry.category.empty()) e["category"] = entry.category;
    if (entry.team_id.valid()) e["team"] = entry.team_id.ToString();
    if (entry.priority) e["priority"] = *entry.priority;
    entries.push_back(std::move(e));
  }
  json out = {{"name", table.name}, {"entries", std::move(entries)}};
  if (!table.language.empty()) out["language"] = table.language;
  if (table.id.valid()) out["id"] = table.id.ToString();
  return out;
}

json RuleJson(const domain::Rule& rule) {
  json when = json::array();
  for (const domain::Condition& condition : rule.conditions) {
    json c = {{"op", domain::ToString(condition.op)}, {"values", condition.values}};
    if (!condition.field.empty()) c["field"] = condition.field;
    when.push_back(std::move(c));
  }
  json then = json::array();
  for (const domain::RuleAction& action : rule.actions) {
    json a = {{"action", domain::ToString(action.kind)}};
    if (!action.argument.empty()) a["argument"] = action.argument;
    then.push_back(std::move(a));
  }
  json out = {{"name", rule.name},       {"order", rule.order},     {"enabled", rule.enabled},
              {"when", std::move(when)}, {"then", std::move(then)}, {"stop", rule.stop_processing}};
  if (rule.id.valid()) out["id"] = rule.id.ToString();
  return out;
}

core::Result<TriageInput> ParseTriageInput(std::string_view line) {
  const auto invalid = [](std::string message) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, std::move(message));
  };
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return invalid("not a JSON object");
  if (!j.contains("text") || !j.at("text").is_string()) return invalid("\"text\" must be a string");
  TriageInput input;
  input.text = j.at("text").get<std::string>();
  const auto string_field = [&](const json& object, const char* key,
                                std::string& out) -> core::Status {
    if (!object.contains(key) || object.at(key).is_null()) return core::Ok();
    if (!object.at(key).is_string())
      return invalid(std::string("\"") + key + "\" must be a string");
    out = object.at(key).get<std::string>();
    return core::Ok();
  };
  std::string channel;
  PARLEY_TRY(string_field(j, "channel", channel));
  if (!channel.empty()) {
    const auto kind = domain::ParseEnum<domain::ChannelKind>(channel);
    if (!kind) return invalid("unknown channel \"" + channel + "\"");
    input.channel = *kind;
  }
  PARLEY_TRY(string_field(j, "lang", input.language_hint));
  PARLEY_TRY(string_field(j, "id", input.platform_message_id));
  for (const char* key : {"created_at", "last_contact_at"}) {
    std::string text;
    PARLEY_TRY(string_field(j, key, text));
    if (text.empty()) continue;
    const auto at = core::ParseTimestamp(text);
    if (!at) return invalid(std::string("\"") + key + "\" must be an RFC 3339 time");
    (std::string_view(key) == "created_at" ? input.created_at : input.last_contact_at) = *at;
  }
  if (j.contains("author") && !j.at("author").is_null()) {
    const json& author = j.at("author");
    if (!author.is_object()) return invalid("\"author\" must be an object");
    PARLEY_TRY(string_field(author, "handle", input.author_handle));
    PARLEY_TRY(string_field(author, "id", input.author_id));
    if (author.contains("followers") && !author.at("followers").is_number()) {
      return invalid("\"author.followers\" must be a number");
    }
    input.followers = author.contains("followers") ? author.at("followers").get<std::int64_t>() : 0;
    input.verified = author.contains("verified") && author.at("verified").is_boolean() &&
                     author.at("verified").get<bool>();
  }
  if (j.contains("metrics") && j.at("metrics").is_object()) {
    const json& m = j.at("metrics");
    input.metrics.likes = Count(m, "likes");
    input.metrics.reposts = Count(m, "reposts");
    input.metrics.replies = Count(m, "replies");
    input.metrics.quotes = Count(m, "quotes");
  }
  input.is_repost =
      j.contains("is_repost") && j.at("is_repost").is_boolean() && j.at("is_repost").get<bool>();
  return input;
}

core::Result<TriageConfig> ParseTriageConfig(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Invalid("configuration", "is not valid JSON");
  PARLEY_TRY(domain::CheckKnownFields(
      j, "configuration",
      {"defaults", "keyword_tables", "rules", "brand_handles", "blocked_authors", "key_customers",
       "influencer_followers", "recent_customer_hours", "duplicate_window_hours", "top_mention",
       "business_hours"}));
  TriageConfig config;
  PARLEY_ASSIGN_OR_RETURN(config.use_defaults, Bool(j, "defaults", "configuration", true));
  if (j.contains("keyword_tables")) {
    if (!j.at("keyword_tables").is_array()) return Invalid("keyword_tables", "must be a list");
    std::size_t index = 0;
    for (const json& t : j.at("keyword_tables")) {
      domain::KeywordTable table;
      PARLEY_TRY(ParseTableInto(t, "keyword_tables[" + std::to_string(index++) + "]", table));
      config.keyword_tables.push_back(std::move(table));
    }
  }
  if (j.contains("rules")) {
    if (!j.at("rules").is_array()) return Invalid("rules", "must be a list");
    std::size_t index = 0;
    for (const json& r : j.at("rules")) {
      domain::Rule rule;
      PARLEY_TRY(ParseRuleInto(r, "rules[" + std::to_string(index++) + "]", rule));
      config.rules.push_back(std::move(rule));
    }
  }
  if (j.contains("brand_handles")) {
    PARLEY_TRY(Strings(j.at("brand_handles"), "brand_handles", config.brand_handles));
  }
  if (j.contains("blocked_authors")) {
    PARLEY_TRY(Strings(j.at("blocked_authors"), "blocked_authors", config.blocked_authors));
  }
  if (j.contains("key_customers")) {
    if (!j.at("key_customers").is_array()) return Invalid("key_customers", "must be a list");
    std::size_t index = 0;
    for (const json& k : j.at("key_customers")) {
      const std::string at = "key_customers[" + std::to_string(index++) + "]";
      PARLEY_TRY(domain::CheckKnownFields(k, at, {"handle", "id", "tier"}));
      KeyCustomer customer;
      PARLEY_ASSIGN_OR_RETURN(customer.handle, String(k, "handle", at));
      PARLEY_ASSIGN_OR_RETURN(customer.platform_user_id, String(k, "id", at));
      PARLEY_ASSIGN_OR_RETURN(customer.tier, String(k, "tier", at));
      if (customer.handle.empty() && customer.platform_user_id.empty()) {
        return Invalid(at, "needs a handle or an id");
      }
      if (customer.tier.empty()) customer.tier = "key";
      config.key_customers.push_back(std::move(customer));
    }
  }
  PARLEY_ASSIGN_OR_RETURN(const double followers,
                          Number(j, "influencer_followers", "configuration", 10000));
  config.influencer_followers = static_cast<std::int64_t>(followers);
  PARLEY_ASSIGN_OR_RETURN(const double recent,
                          Number(j, "recent_customer_hours", "configuration", 24));
  config.recent_customer_window =
      std::chrono::milliseconds(static_cast<std::int64_t>(recent * 3600000));
  PARLEY_ASSIGN_OR_RETURN(const double duplicate,
                          Number(j, "duplicate_window_hours", "configuration", 24));
  config.duplicate_window =
      std::chrono::milliseconds(static_cast<std::int64_t>(duplicate * 3600000));
  if (j.contains("top_mention")) {
    const json& top = j.at("top_mention");
    PARLEY_TRY(domain::CheckKnownFields(top, "top_mention", {"window_minutes", "per_minute"}));
    PARLEY_ASSIGN_OR_RETURN(const double window, Number(top, "window_minutes", "top_mention", 10));
    config.top_mention_window =
        std::chrono::milliseconds(static_cast<std::int64_t>(window * 60000));
    PARLEY_ASSIGN_OR_RETURN(config.top_mention_per_minute,
                            Number(top, "per_minute", "top_mention", 10));
  }
  if (j.contains("business_hours")) {
    const json& hours = j.at("business_hours");
    PARLEY_TRY(
        domain::CheckKnownFields(hours, "business_hours", {"time_zone", "days", "open", "close"}));
    BusinessHours business;
    PARLEY_ASSIGN_OR_RETURN(const std::string zone, String(hours, "time_zone", "business_hours"));
    if (!zone.empty()) business.time_zone = zone;
    if (hours.contains("days")) {
      std::vector<std::string> days;
      PARLEY_TRY(Strings(hours.at("days"), "business_hours.days", days));
      business.days.fill(false);
      static constexpr std::array<std::string_view, 7> kDays{"sun", "mon", "tue", "wed",
                                                             "thu", "fri", "sat"};
      for (const std::string& day : days) {
        const auto it = std::find(kDays.begin(), kDays.end(), day.substr(0, 3));
        if (it == kDays.end()) return Invalid("business_hours.days", "unknown day \"" + day + "\"");
        business.days[static_cast<std::size_t>(it - kDays.begin())] = true;
      }
    }
    PARLEY_ASSIGN_OR_RETURN(const std::string open, String(hours, "open", "business_hours"));
    PARLEY_ASSIGN_OR_RETURN(const std::string close, String(hours, "close", "business_hours"));
    if (!open.empty()) {
      PARLEY_ASSIGN_OR_RETURN(business.open_minute, Minute(open, "business_hours.open"));
    }
    if (!close.empty()) {
      PARLEY_ASSIGN_OR_RETURN(business.close_minute, Minute(close, "business_hours.close"));
    }
    config.business_hours = business;
  }
  return config;
}

namespace {

core::Result<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid(path, "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Prefixes an error with the file it came from.
template <typename T>
core::Result<T> InFile(const std::string& path, core::Result<T> result) {
  if (result.ok()) return result;
  return Invalid(path, result.error().message);
}

}  // namespace

core::Result<TriageConfig> LoadTriageConfig(const std::string& path) {
  PARLEY_ASSIGN_OR_RETURN(const std::string text, ReadWhole(path));
  return InFile(path, ParseTriageConfig(text));
}

core::Result<std::vector<KeyCustomer>> LoadKeyCustomersCsv(const std::string& path) {
  PARLEY_ASSIGN_OR_RETURN(const std::string text, ReadWhole(path));
  return InFile(path, ParseKeyCustomersCsv(text));
}

core::Result<std::vector<KeyCustomer>> ParseKeyCustomersCsv(std::string_view csv) {
  std::vector<KeyCustomer> customers;
  std::size_t line_number = 0;
  while (!csv.empty()) {
    const std::size_t end = csv.find('\n');
    std::string_view line = csv.substr(0, end);
    csv = end == std::string_view::npos ? std::string_view() : csv.substr(end + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (;;) {
      const std::size_t comma = line.find(',', start);
      std::string field(line.substr(start, comma - start));
      while (!field.empty() && field.front() == ' ') field.erase(field.begin());
      while (!field.empty() && field.back() == ' ') field.pop_back();
      fields.push_back(std::move(field));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (line_number == 1 && !fields.empty() && fields[0] == "handle") continue;
    if (fields.size() > 3) {
      return Invalid("key customers line " + std::to_string(line_number),
                     "expected handle,platform_user_id,tier");
    }
    fields.resize(3);
    KeyCustomer customer{fields[0], fields[1], fields[2].empty() ? "key" : fields[2]};
    if (!customer.handle.empty() && customer.handle.front() == '@') customer.handle.erase(0, 1);
    if (customer.handle.empty() && customer.platform_user_id.empty()) {
      return Invalid("key customers line " + std::to_string(line_number),
                     "needs a handle or an id");
    }
    customers.push_back(std::move(customer));
  }
  return customers;
}

}  // namespace parley::triage
