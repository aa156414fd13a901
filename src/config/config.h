// Parley's configuration: zero-config defaults, a TOML file, and environment overrides
// (PARLEY_<SECTION>_<KEY>, e.g. PARLEY_SERVER_PORT=9090). Documented in docs/configuration.md.
// Invalid configuration is refused at start with the exact key and the reason.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/core/result.h"

namespace parley::config {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (printed at start)
  int threads = 2;
  std::string web_root;  // static files of the web app; empty: the built-in location
  std::int64_t max_body_bytes = 1 << 20;
  int shutdown_grace_seconds = 10;
  int request_timeout_seconds = 30;
  // Marks the session cookie Secure: set it when Parley is reached over HTTPS (behind a proxy).
  bool secure_cookies = false;
};

struct StorageConfig {
  std::string data_dir = "parley-data";
};

struct InboxConfig {
  int max_batch = 1024;  // payloads per group commit at most
};

struct IngestConfig {
  int batch = 1024;  // payloads processed per engine round at most
};

struct OutboundConfig {
  int max_attempts = 8;         // attempts before a retryable failure becomes final
  int poll_interval_ms = 1000;  // how often the outbox is checked for work others enqueued
};

// Outgoing webhooks (docs/webhooks.md).
struct WebhooksConfig {
  int max_attempts = 8;          // attempts before a delivery is marked failed
  int first_retry_ms = 10'000;   // the wait after the first failure; doubles each time
  int max_retry_ms = 3'600'000;  // the longest wait between attempts
  int timeout_ms = 10'000;       // for one attempt
};

// Email channel accounts (docs/channels/email.md).
struct EmailConfig {
  int idle_seconds = 300;                     // how long one IMAP IDLE lasts before it is renewed
  int poll_seconds = 60;                      // how often a mailbox without IDLE is checked
  std::int64_t max_message_bytes = 25 << 20;  // larger: only the header is kept, as a dead letter
  int backfill_days = 7;  // a mailbox Parley has not read before: the mail of these last days
};

struct LogConfig {
  std::string level = "info";   // debug, info, warn, error
  std::string format = "text";  // text, json
};

struct NodeConfig {
  int id = 0;  // 0..1023, unique per node of a cluster: part of every id this node makes
};

struct WorkspaceConfig {
  std::string slug;
  std::string name;
  std::string time_zone = "UTC";
  std::vector<std::string> brand_handles;
  std::vector<std::string> resolution_codes;  // empty: keep what is stored
  // A triage configuration (JSON, docs/triage.md): keyword tables, rules, key customers. Empty:
  // the shipped defaults. A relative path is read from the server's working directory.
  std::string triage;
  // The workspace's teams, agents, calendars and SLA policies (JSON, the shape of a simulation
  // scenario's, docs/simulation.md). Empty: as stored.
  std::string routing;
};

struct ChannelAccountConfig {
  std::string workspace;  // a workspace slug
  std::string kind;       // x, facebook, instagram, whatsapp, email, webchat, generic
  std::string name;
  std::string platform_account_id;
  std::string api_base_url;
  std::string inbound_url;  // email: the IMAP mailbox (imap://host:port/INBOX, imaps://…)
  std::map<std::string, std::string> credentials;  // "env:NAME" reads the variable NAME
};

struct Config {
  ServerConfig server;
  StorageConfig storage;
  InboxConfig inbox;
  IngestConfig ingest;
  OutboundConfig outbound;
  WebhooksConfig webhooks;
  EmailConfig email;
  LogConfig log;
  NodeConfig node;
  std::vector<WorkspaceConfig> workspaces;
  std::vector<ChannelAccountConfig> channel_accounts;
};

// Reads an environment variable; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup ProcessEnvironment();

// Loads the defaults, then the TOML file at `path` (if given), then the environment overrides,
// and validates the result. Errors are kInvalidArgument with "key: reason" (or the file's line and
// column for TOML syntax errors).
core::Result<Config> LoadConfig(const std::optional<std::string>& path, const EnvLookup& env);

// The same, from TOML text (for tests and `parley demo`'s built-in configuration).
core::Result<Config> ParseConfig(std::string_view toml_text, const EnvLookup& env);

}  // namespace parley::config
