#include "parley/config/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <set>

namespace parley::config {
namespace {

core::Error Invalid(std::string_view key, std::string_view reason) {
  return core::MakeError(core::ErrorCode::kInvalidArgument,
                         std::string(key) + ": " + std::string(reason));
}

std::string EnvName(std::string_view section, std::string_view key) {
  std::string name = "PARLEY_";
  for (char c : section) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  name += '_';
  for (char c : key) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

// Reads the keys of one table, remembering which it consumed so that the rest can be reported as
// unknown. The first error sticks; later reads are no-ops.
class TableReader {
 public:
  TableReader(const toml::table* table, std::string path, const EnvLookup* env,
              std::optional<core::Error>& error)
      : table_(table), path_(std::move(path)), env_(env), error_(error) {}

  void String(std::string_view key, std::string& out) {
    if (auto text = EnvValue(key)) {
      out = *text;
      return;
    }
    const toml::node* node = Take(key);
    if (node == nullptr) return;
    if (auto value = node->value<std::string>()) {
      out = *value;
    } else {
      Fail(key, "expected a string");
    }
  }

  void Int(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max) {
    std::int64_t value = out;
    if (auto text = EnvValue(key)) {
      auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
      if (ec != std::errc() || ptr != text->data() + text->size()) {
        return Fail(key, "expected an integer in " + EnvName(path_, key) + ", got '" + *text + "'");
      }
    } else if (const toml::node* node = Take(key)) {
      auto parsed = node->value_exact<std::int64_t>();
      if (!parsed) return Fail(key, "expected an integer");
      value = *parsed;
    } else {
      return;
    }
    if (value < min || value > max) {
      return Fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                           ", got " + std::to_string(value));
    }
    out = value;
  }

  void Bool(std::string_view key, bool& out) {
    if (auto text = EnvValue(key)) {
      if (*text == "true" || *text == "1") {
        out = true;
      } else if (*text == "false" || *text == "0") {
        out = false;
      } else {
        Fail(key, "expected true or false in " + EnvName(path_, key) + ", got '" + *text + "'");
      }
      return;
    }
    const toml::node* node = Take(key);
    if (node == nullptr) return;
    if (auto value = node->value_exact<bool>()) {
      out = *value;
    } else {
      Fail(key, "expected true or false");
    }
  }

  void Int(std::string_view key, int& out, int min, int max) {
    std::int64_t wide = out;
    Int(key, wide, min, max);
    out = static_cast<int>(wide);
  }

  void StringList(std::string_view key, std::vector<std::string>& out) {
    const toml::node* node = Take(key);
    if (node == nullptr) return;
    const toml::array* array = node->as_array();
    if (array == nullptr) return Fail(key, "expected an array of strings");
    out.clear();
    for (const auto& item : *array) {
      auto value = item.value<std::string>();
      if (!value) return Fail(key, "expected an array of strings");
      out.push_back(*value);
    }
  }

  void StringMap(std::string_view key, std::map<std::string, std::string>& out) {
    const toml::node* node = Take(key);
    if (node == nullptr) return;
    const toml::table* table = node->as_table();
    if (table == nullptr) return Fail(key, "expected a table of strings");
    for (const auto& [name, value] : *table) {
      auto text = value.value<std::string>();
      if (!text) return Fail(std::string(key) + "." + std::string(name.str()), "expected a string");
      out[std::string(name.str())] = *text;
    }
  }

  void RejectUnknown() {
    if (table_ == nullptr || error_) return;
    for (const auto& [key, value] : *table_) {
      if (!consumed_.contains(std::string(key.str()))) {
        return Fail(key.str(), "unknown key");
      }
    }
  }

  void Fail(std::string_view key, const std::string& reason) {
    if (!error_)
      error_ = Invalid(path_.empty() ? std::string(key) : path_ + "." + std::string(key), reason);
  }

 private:
  const toml::node* Take(std::string_view key) {
    if (error_ || table_ == nullptr) return nullptr;
    consumed_.insert(std::string(key));
    return table_->get(key);
  }

  std::optional<std::string> EnvValue(std::string_view key) {
    if (error_ || env_ == nullptr) return std::nullopt;
    consumed_.insert(std::string(key));
    return (*env_)(EnvName(path_, key));
  }

  const toml::table* table_;
  std::string path_;
  const EnvLookup* env_;  // null: no environment overrides for this table (arrays of tables)
  std::optional<core::Error>& error_;
  std::set<std::string> consumed_;
};

const toml::table* SubTable(const toml::table& root, std::string_view name,
                            std::optional<core::Error>& error) {
  const toml::node* node = root.get(name);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) {
    if (!error) error = Invalid(name, "expected a table");
    return nullptr;
  }
  return node->as_table();
}

const toml::array* TableArray(const toml::table& root, std::string_view name,
                              std::optional<core::Error>& error) {
  const toml::node* node = root.get(name);
  if (node == nullptr) return nullptr;
  if (!node->is_array_of_tables()) {
    if (!error)
      error = Invalid(name, "expected an array of tables ([[" + std::string(name) + "]])");
    return nullptr;
  }
  return node->as_array();
}

bool IsSlug(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

core::Result<Config> Build(const toml::table& root, const EnvLookup& env) {
  static const std::set<std::string, std::less<>> kSections = {
      "server", "storage", "inbox", "ingest",     "outbound",        "webhooks",
      "email",  "log",     "node",  "workspaces", "channel_accounts"};
  for (const auto& [key, value] : root) {
    if (!kSections.contains(key.str())) return Invalid(key.str(), "unknown section");
  }
  Config config;
  std::optional<core::Error> error;

  TableReader server(SubTable(root, "server", error), "server", &env, error);
  server.String("host", config.server.host);
  server.Int("port", config.server.port, 0, 65535);
  server.Int("threads", config.server.threads, 1, 256);
  server.String("web_root", config.server.web_root);
  server.Int("max_body_bytes", config.server.max_body_bytes, 1024, std::int64_t{1} << 30);
  server.Int("shutdown_grace_seconds", config.server.shutdown_grace_seconds, 0, 3600);
  server.Int("request_timeout_seconds", config.server.request_timeout_seconds, 1, 3600);
  server.Bool("secure_cookies", config.server.secure_cookies);
  server.RejectUnknown();

  TableReader storage(SubTable(root, "storage", error), "storage", &env, error);
  storage.String("data_dir", config.storage.data_dir);
  if (!error && config.storage.data_dir.empty()) storage.Fail("data_dir", "must not be empty");
  storage.RejectUnknown();

  TableReader inbox(SubTable(root, "inbox", error), "inbox", &env, error);
  inbox.Int("max_batch", config.inbox.max_batch, 1, 100'000);
  inbox.RejectUnknown();

  TableReader ingest(SubTable(root, "ingest", error), "ingest", &env, error);
  ingest.Int("batch", config.ingest.batch, 1, 100'000);
  ingest.RejectUnknown();

  TableReader outbound(SubTable(root, "outbound", error), "outbound", &env, error);
  outbound.Int("max_attempts", config.outbound.max_attempts, 1, 100);
  outbound.Int("poll_interval_ms", config.outbound.poll_interval_ms, 10, 60'000);
  outbound.RejectUnknown();

  TableReader webhooks(SubTable(root, "webhooks", error), "webhooks", &env, error);
  webhooks.Int("max_attempts", config.webhooks.max_attempts, 1, 100);
  webhooks.Int("first_retry_ms", config.webhooks.first_retry_ms, 10, 3'600'000);
  webhooks.Int("max_retry_ms", config.webhooks.max_retry_ms, 10, 86'400'000);
  webhooks.Int("timeout_ms", config.webhooks.timeout_ms, 100, 120'000);
  webhooks.RejectUnknown();

  TableReader email(SubTable(root, "email", error), "email", &env, error);
  email.Int("idle_seconds", config.email.idle_seconds, 10, 1740);  // RFC 2177: under 29 minutes
  email.Int("poll_seconds", config.email.poll_seconds, 1, 86'400);
  email.Int("max_message_bytes", config.email.max_message_bytes, 1024, std::int64_t{1} << 30);
  email.Int("backfill_days", config.email.backfill_days, 0, 3650);
  email.RejectUnknown();

  TableReader log(SubTable(root, "log", error), "log", &env, error);
  log.String("level", config.log.level);
  log.String("format", config.log.format);
  if (!error && config.log.level != "debug" && config.log.level != "info" &&
      config.log.level != "warn" && config.log.level != "error") {
    log.Fail("level", "must be one of debug, info, warn, error; got '" + config.log.level + "'");
  }
  if (!error && config.log.format != "text" && config.log.format != "json") {
    log.Fail("format", "must be text or json; got '" + config.log.format + "'");
  }
  log.RejectUnknown();

  TableReader node(SubTable(root, "node", error), "node", &env, error);
  node.Int("id", config.node.id, 0, 1023);
  node.RejectUnknown();

  if (const toml::array* workspaces = TableArray(root, "workspaces", error)) {
    std::set<std::string> slugs;
    for (std::size_t i = 0; i < workspaces->size() && !error; ++i) {
      const std::string path = "workspaces[" + std::to_string(i) + "]";
      TableReader reader((*workspaces)[i].as_table(), path, nullptr, error);
      WorkspaceConfig w;
      reader.String("slug", w.slug);
      reader.String("name", w.name);
      reader.String("time_zone", w.time_zone);
      reader.StringList("brand_handles", w.brand_handles);
      reader.StringList("resolution_codes", w.resolution_codes);
      reader.String("triage", w.triage);
      reader.String("routing", w.routing);
      reader.RejectUnknown();
      if (error) break;
      if (!IsSlug(w.slug)) reader.Fail("slug", "must be lower-case letters, digits and '-'");
      if (!slugs.insert(w.slug).second) reader.Fail("slug", "'" + w.slug + "' is used twice");
      if (w.name.empty()) w.name = w.slug;
      config.workspaces.push_back(std::move(w));
    }
  }

  if (const toml::array* accounts = TableArray(root, "channel_accounts", error)) {
    static const std::set<std::string> kKinds = {"x",     "facebook", "instagram", "whatsapp",
                                                 "email", "webchat",  "generic"};
    for (std::size_t i = 0; i < accounts->size() && !error; ++i) {
      const std::string path = "channel_accounts[" + std::to_string(i) + "]";
      TableReader reader((*accounts)[i].as_table(), path, nullptr, error);
      ChannelAccountConfig a;
      reader.String("workspace", a.workspace);
      reader.String("kind", a.kind);
      reader.String("name", a.name);
      reader.String("platform_account_id", a.platform_account_id);
      reader.String("api_base_url", a.api_base_url);
      reader.String("inbound_url", a.inbound_url);
      reader.StringMap("credentials", a.credentials);
      reader.RejectUnknown();
      if (error) break;
      if (!kKinds.contains(a.kind)) {
        reader.Fail("kind",
                    "must be one of x, facebook, instagram, whatsapp, email, webchat, "
                    "generic; got '" +
                        a.kind + "'");
      }
      if (std::none_of(config.workspaces.begin(), config.workspaces.end(),
                       [&](const auto& w) { return w.slug == a.workspace; })) {
        reader.Fail("workspace", "no workspace with slug '" + a.workspace + "'");
      }
      if (a.platform_account_id.empty()) reader.Fail("platform_account_id", "is required");
      for (auto& [name, value] : a.credentials) {
        if (value.starts_with("env:")) {
          auto resolved = env(value.substr(4));
          if (!resolved) {
            reader.Fail("credentials." + name,
                        "environment variable " + value.substr(4) + " is not set");
          } else {
            value = *resolved;
          }
        }
      }
      if (a.name.empty()) a.name = a.kind + ":" + a.platform_account_id;
      config.channel_accounts.push_back(std::move(a));
    }
  }

  if (error) return *error;
  return config;
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

core::Result<Config> ParseConfig(std::string_view toml_text, const EnvLookup& env) {
  try {
    const toml::table root = toml::parse(toml_text);
    return Build(root, env);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "line " + std::to_string(where.line) + ", column " +
                               std::to_string(where.column) + ": " + std::string(e.description()));
  }
}

core::Result<Config> LoadConfig(const std::optional<std::string>& path, const EnvLookup& env) {
  if (!path) return ParseConfig("", env);
  try {
    const toml::table root = toml::parse_file(*path);
    return Build(root, env);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           *path + ": line " + std::to_string(where.line) + ", column " +
                               std::to_string(where.column) + ": " + std::string(e.description()));
  }
}

}  // namespace parley::config
