// The parley binary: one executable for the server and its tools.
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "parley/cli/commands.h"
#include "parley/core/version.h"

int main(int argc, char** argv) {
  using namespace parley::cli;  // NOLINT: a main file, not a header
  CLI::App app{"Parley: social customer service, one server.", "parley"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(parley::core::Version()));

  ServeOptions serve;
  auto add_serve_options = [&serve](CLI::App* command, bool with_config) {
    if (with_config) {
      command->add_option("--config", serve.config_path, "TOML configuration file")
          ->check(CLI::ExistingFile);
    }
    command->add_option("--port", serve.port, "HTTP port (0: any free port)")
        ->check(CLI::Range(0, 65535));
    command->add_option("--data", serve.data_dir, "data directory (default ./parley-data)");
  };

  auto* serve_command = app.add_subcommand("serve", "Run the server.");
  add_serve_options(serve_command, true);
  auto* demo_command = app.add_subcommand(
      "demo", "Run the server with demo workspaces and channel accounts, for trying Parley out.");
  add_serve_options(demo_command, false);
  auto* migrate_command =
      app.add_subcommand("migrate", "Create or upgrade the databases, then exit.");
  add_serve_options(migrate_command, true);

  ImportOptions import;
  auto* import_command = app.add_subcommand(
      "import", "Load history from a file through the ingest pipeline (JSON lines).");
  import_command->add_option("--config", import.serve.config_path, "TOML configuration file")
      ->check(CLI::ExistingFile);
  import_command->add_option("--data", import.serve.data_dir, "data directory");
  import_command->add_option("--format", import.format, "input format: generic, x-v2, meta or twcs")
      ->required();
  import_command->add_option("--account", import.account,
                             "platform_account_id of the channel account it came from");
  import_command->add_option("file", import.file, "the file to import")
      ->required()
      ->check(CLI::ExistingFile);

  BenchOptions bench;
  auto* bench_command =
      app.add_subcommand("bench", "Measure a part of Parley and print the figures.");
  bench_command->add_option("what", bench.what, "ingest, inbox, store, api, triage or route")
      ->required()
      ->check(CLI::IsMember({"ingest", "inbox", "store", "api", "triage", "route"}));
  bench_command->add_option("--input", bench.input, "ingest: payloads, one per line")
      ->check(CLI::ExistingFile);
  bench_command
      ->add_option("--producers", bench.producers,
                   "ingest: concurrent deliveries, each awaiting its acknowledgement")
      ->check(CLI::Range(1, 1024));
  bench_command->add_option("--format", bench.format, "ingest: the input's format")
      ->check(CLI::IsMember({"x-v2"}));
  bench_command->add_flag("--json", bench.json, "print one JSON object");
  bench_command->add_option("--count", bench.count, "how many items (default per benchmark)")
      ->check(CLI::PositiveNumber);

  TriageOptions triage;
  auto* triage_command =
      app.add_subcommand("triage",
                         "Triage JSON lines from stdin: one line of classification, priority and "
                         "reasons out per line in.");
  triage_command
      ->add_option("--config", triage.config_path, "triage configuration (JSON, docs/triage.md)")
      ->check(CLI::ExistingFile);
  triage_command
      ->add_option("--key-customers", triage.key_customers_path,
                   "CSV of key customers: handle,platform_user_id,tier")
      ->check(CLI::ExistingFile);

  SimulateOptions simulate;
  auto* simulate_command = app.add_subcommand(
      "simulate",
      "Run the router over a scenario on a simulated clock and report assignments, waits and SLA "
      "outcomes (docs/simulation.md).");
  simulate_command->add_option("--scenario", simulate.scenario, "scenario file (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  simulate_command->add_flag("--json", simulate.json, "print the report as one JSON object");
  simulate_command->add_flag("--events", simulate.events, "include every router event");
  simulate_command
      ->add_option("--replay-data", simulate.replay_data,
                   "a Parley data directory whose stored conversations arrive as they did")
      ->check(CLI::ExistingDirectory);
  simulate_command->add_option("--from", simulate.from, "replay: first opening time (ISO 8601)");
  simulate_command->add_option("--to", simulate.to, "replay: end of the period (ISO 8601)");
  simulate_command->add_option("--replay-team", simulate.replay_team,
                               "replay: the scenario's team the conversations go to");

  auto* stats_command =
      app.add_subcommand("stats", "Print counts of what is stored and of the inbox, as JSON.");
  add_serve_options(stats_command, true);
  stats_command->remove_option(stats_command->get_option("--port"));

  OutboxOptions outbox;
  auto* outbox_command = app.add_subcommand(
      "outbox", "Send a reply, message or moderation action through the outbox; list; requeue.");
  outbox_command->require_subcommand(1);
  auto add_outbox_options = [&outbox](CLI::App* command) {
    command->add_option("--config", outbox.serve.config_path, "TOML configuration file")
        ->check(CLI::ExistingFile);
    command->add_option("--data", outbox.serve.data_dir, "data directory");
  };
  auto* outbox_send = outbox_command->add_subcommand(
      "send", "Enqueue a request; a running server sends it within its poll interval.");
  add_outbox_options(outbox_send);
  outbox_send->add_option("--account", outbox.account, "channel account: name or platform id")
      ->required();
  outbox_send
      ->add_option("--kind", outbox.kind,
                   "reply, direct_message, private_reply, template, hide, unhide, delete, like")
      ->check(CLI::IsMember({"reply", "direct_message", "private_reply", "template", "hide",
                             "unhide", "delete", "like"}));
  outbox_send->add_option("--to", outbox.to, "platform id of the message acted on");
  outbox_send->add_option("--recipient", outbox.recipient, "platform user id of the recipient");
  outbox_send->add_option("--text", outbox.text, "the text to send");
  outbox_send->add_option("--template", outbox.template_name, "WhatsApp template name");
  outbox_send->add_option("--language", outbox.language, "WhatsApp template language code");
  outbox_send->add_option("--param", outbox.parameters, "a template body parameter (repeat)");
  auto* outbox_list = outbox_command->add_subcommand("list", "Print outbox items as JSON lines.");
  add_outbox_options(outbox_list);
  outbox_list->add_option("--state", outbox.state, "queued, sending, sent, failed or unconfirmed");
  auto* outbox_requeue = outbox_command->add_subcommand(
      "requeue", "Send an unconfirmed or failed item again, after checking the platform.");
  add_outbox_options(outbox_requeue);
  outbox_requeue->add_option("id", outbox.id, "outbox item id")->required();

  UserOptions user;
  auto* user_command = app.add_subcommand("user", "Manage users.");
  user_command->require_subcommand(1);
  auto* user_create = user_command->add_subcommand(
      "create", "Create a user; prints a random password unless --password-stdin is given.");
  user_create->add_option("--config", user.serve.config_path, "TOML configuration file")
      ->check(CLI::ExistingFile);
  user_create->add_option("--data", user.serve.data_dir, "data directory");
  user_create->add_option("--email", user.email, "the login email")->required();
  user_create->add_option("--name", user.name, "the name shown to colleagues");
  user_create
      ->add_option("--role", user.role, "admin, supervisor, team_leader, agent, analyst, approver")
      ->check(
          CLI::IsMember({"admin", "supervisor", "team_leader", "agent", "analyst", "approver"}));
  user_create->add_flag("--admin", user.admin, "the same as --role admin");
  user_create->add_flag("--password-stdin", user.password_stdin,
                        "read the password from standard input (one line)");

  auto* version_command = app.add_subcommand("version", "Print the version.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*serve_command) return RunServe(serve);
  if (*demo_command) return RunDemo(serve);
  if (*migrate_command) return RunMigrate(serve);
  if (*import_command) return RunImport(import);
  if (*bench_command) return RunBench(bench);
  if (*stats_command) return RunStats(serve);
  if (*triage_command) return RunTriage(triage);
  if (*simulate_command) return RunSimulate(simulate);
  if (*outbox_command) {
    outbox.action = *outbox_send ? "send" : *outbox_list ? "list" : "requeue";
    return RunOutbox(outbox);
  }
  if (*user_command) return RunUserCreate(user);
  if (*version_command) return RunVersion();
  return 2;
}
