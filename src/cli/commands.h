// The subcommands of the `parley` binary. Each returns the process exit code: 0 success, 1 a
// failure at run time (reported on stderr), 2 bad usage or configuration.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace parley::cli {

struct ServeOptions {
  std::optional<std::string> config_path;
  std::optional<int> port;
  std::optional<std::string> data_dir;
};

int RunServe(const ServeOptions& options);
int RunDemo(const ServeOptions& options);
int RunMigrate(const ServeOptions& options);

struct ImportOptions {
  ServeOptions serve;
  std::string format;
  std::string file;
  std::string account;  // platform_account_id of the channel account; empty: the only one
};
int RunImport(const ImportOptions& options);

struct BenchOptions {
  std::string what;  // ingest, inbox, store
  bool json = false;
  int count = 0;                     // 0: the benchmark's default
  std::optional<std::string> input;  // ingest: payloads, one per line (default: generated)
  std::string format = "x-v2";       // ingest: the input's format
  int producers = 16;                // ingest: concurrent deliveries, each awaiting its ack
};
int RunBench(const BenchOptions& options);

struct OutboxOptions {
  ServeOptions serve;
  std::string action;  // send, list, requeue
  // send
  std::string account;  // name or platform account id
  std::string kind = "reply";
  std::string to;         // the platform id of the message acted on
  std::string recipient;  // the platform user id (direct messages, templates)
  std::string text;
  std::string template_name;
  std::string language;
  std::vector<std::string> parameters;
  // list
  std::string state;
  // requeue
  std::string id;
};
int RunOutbox(const OutboxOptions& options);

struct UserOptions {
  ServeOptions serve;
  std::string email;
  std::string name;
  std::string role = "agent";
  bool admin = false;           // shorthand for --role admin
  bool password_stdin = false;  // read the password from standard input; else one is made
};
int RunUserCreate(const UserOptions& options);

struct TriageOptions {
  std::optional<std::string> config_path;         // JSON triage configuration (docs/triage.md)
  std::optional<std::string> key_customers_path;  // CSV: handle,platform_user_id,tier
};
// Reads JSON lines on stdin and writes one JSON line of triage per input line. Exit code 1 when
// some line could not be read (its output line is {"error": ..., "line": N}).
int RunTriage(const TriageOptions& options);

struct SimulateOptions {
  std::string scenario;  // JSON, docs/simulation.md
  bool json = false;
  bool events = false;  // every router event in the report
  // Replay: the conversations stored in a data directory arrive as they did, within [from, to).
  std::optional<std::string> replay_data;
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::string> replay_team;  // the scenario's team they go to
};
// Runs the scenario and prints the report. Exit code 2 when the scenario is invalid.
int RunSimulate(const SimulateOptions& options);

int RunVersion();

// Counts of what is stored, per kind, and of the inbox by state: a data overview as JSON.
int RunStats(const ServeOptions& options);

}  // namespace parley::cli
