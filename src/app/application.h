// The composition root: builds every part of a running Parley from its configuration, wires them
// together and owns their lifetimes. Nothing below this layer knows the concrete classes chosen
// here (SQLite, Beast, the parsers).
//
// Start-up order: open storage (migrations), declare configured workspaces and channel accounts,
// start one engine per workspace, process what the inbox still holds from before a crash, settle
// what the outbox was sending when it stopped and start its dispatcher, then open the HTTP port.
// Shutdown is the reverse, draining each stage before the next closes.
//
// Thread-safety: Open, Start and Shutdown from one thread.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "parley/app/api.h"
#include "parley/app/buzz.h"
#include "parley/app/chat.h"
#include "parley/app/events.h"
#include "parley/auth/accounts.h"
#include "parley/channels/parser.h"
#include "parley/config/config.h"
#include "parley/core/clock.h"
#include "parley/core/crypto.h"
#include "parley/engine/engine_thread.h"
#include "parley/http/router.h"
#include "parley/http/server.h"
#include "parley/ingest/mailbox_poller.h"
#include "parley/ingest/processor.h"
#include "parley/outbound/dispatcher.h"
#include "parley/outbound/webhooks.h"
#include "parley/storage/outbox.h"
#include "parley/storage/raw_inbox.h"
#include "parley/storage/store.h"
#include "parley/telemetry/metrics.h"
#include "parley/triage/triage.h"

namespace parley::app {

// Channel accounts and engines by workspace: what the ingest processor and the webhooks look up.
class Directory final : public ingest::IngestTargets {
 public:
  std::optional<domain::ChannelAccount> FindAccount(domain::ChannelAccountId id) override;
  engine::EngineThread* EngineFor(domain::WorkspaceId workspace) override;
  std::optional<domain::ChannelAccount> FindAccountByPlatformId(domain::ChannelKind kind,
                                                                std::string_view platform_id);
  std::vector<domain::ChannelAccount> AccountsOfKind(domain::ChannelKind kind);
  std::vector<domain::ChannelAccount> AllAccounts();

  void AddAccount(domain::ChannelAccount account);
  void AddEngine(domain::WorkspaceId workspace, std::unique_ptr<engine::EngineThread> engine);
  void StopEngines();
  std::vector<domain::Workspace> Workspaces() const;

 private:
  mutable std::mutex mutex_;
  std::map<domain::ChannelAccountId, domain::ChannelAccount> accounts_;  // GUARDED_BY(mutex_)
  std::map<domain::WorkspaceId, std::unique_ptr<engine::EngineThread>>
      engines_;  // GUARDED_BY(mutex_)
};

// A routing set-up (the JSON of a workspace's routing file, docs/routing.md) into the workspace's
// stored teams, agents, calendars and SLA policies, in `batch` (with the workspace, whose default
// team it sets). Names keep their ids; what it no longer names is removed. kInvalidArgument
// naming the field ("teams.care.members: no agent named \"Nobody\"").
core::Status PutRoutingSetup(storage::Store& store, core::IdGenerator& ids,
                             domain::Workspace& workspace, const nlohmann::json& spec,
                             storage::WriteBatch& batch);
// The workspace's stored set-up, as that JSON.
core::Result<nlohmann::json> GetRoutingSetup(storage::Store& store,
                                             const domain::Workspace& workspace);

class Application {
 public:
  // Opens storage under config.storage.data_dir (creating it), applies migrations and declares
  // the configured workspaces and channel accounts. Fails with the reason, and with
  // kFailedPrecondition when another Parley process has the same data directory open.
  static core::Result<std::unique_ptr<Application>> Open(const config::Config& config,
                                                         const core::Clock& clock);
  ~Application();

  // Processes what the inbox holds, starts the background processor and opens the HTTP port.
  core::Status Start();
  // The bound HTTP port. REQUIRES: Start() succeeded.
  int port() const { return server_->port(); }

  // Stops accepting requests, lets those in flight finish (up to the grace period), processes
  // everything the inbox holds, stops the engines and closes storage.
  void Shutdown();

  storage::Store& store() { return *store_; }
  storage::RawInbox& inbox() { return *inbox_; }
  storage::Outbox& outbox() { return *outbox_; }
  auth::Accounts& accounts() { return *accounts_; }
  EventHub& events() { return events_; }
  ChatHub& chat() { return chat_; }
  // Every /api/v1 route with the permission it needs (for the OpenAPI check and role tests).
  const std::vector<ApiRouteInfo>& api_routes() const { return api_->routes(); }
  const http::Router& router() const { return router_; }
  // Puts a request to a platform in the outbox and wakes the dispatcher.
  core::Result<domain::OutboxItem> Enqueue(domain::OutboxItem item);
  Directory& directory() { return directory_; }
  outbound::WebhookDispatcher& webhooks() { return *webhooks_; }
  // Changes a workspace's stored keyword tables and rules (triage_setup.cc). `edit` is given them
  // as stored and changes them, putting its writes in the batch; the configuration they make is
  // compiled and used for the next message, then the batch is stored. One edit at a time, so no
  // edit is lost. kInvalidArgument when it does not compile (naming the table, entry, position
  // and reason); nothing changes when `edit`, the compile or the write fails.
  using TriageEdit =
      std::function<core::Status(std::vector<domain::KeywordTable>& tables,
                                 std::vector<domain::Rule>& rules, storage::WriteBatch& batch)>;
  core::Status EditTriage(domain::WorkspaceId workspace, const TriageEdit& edit);
  // Triages `input` with the workspace's configuration as stored, `draft` taking the place of the
  // stored rule with its id (or added, when it has none or is new): "test this rule". A fresh
  // triager, so nothing is remembered (no duplicate, no recent contact) and nothing is stored.
  // kInvalidArgument when the configuration with the draft does not compile.
  core::Result<triage::TriageResult> TestTriage(domain::WorkspaceId workspace,
                                                const triage::TriageInput& input,
                                                const std::optional<domain::Rule>& draft);
  ingest::InboxProcessor& processor() { return *processor_; }
  // Customers' messages per minute, per workspace (the wallboard's buzz).
  const Buzz& buzz() const { return *buzz_; }
  telemetry::Registry& metrics() { return metrics_; }
  core::IdGenerator& ids() { return ids_; }
  const config::Config& config() const { return config_; }
  const channels::ParserRegistry& parsers() const { return parsers_; }
  const core::Clock& clock() const { return clock_; }
  bool shutting_down() const { return shutting_down_.load(); }
  std::chrono::steady_clock::duration uptime() const {
    return std::chrono::steady_clock::now() - started_;
  }

 private:
  Application(config::Config config, const core::Clock& clock);
  core::Status DeclareConfigured();
  // Seeds each workspace's stored tables and rules from its triage file and gives the workspace
  // its own triager where it has a set-up of its own.
  core::Status DeclareTriage();
  void AddRoutes();

  const config::Config config_;
  const core::Clock& clock_;
  int data_lock_fd_ = -1;  // an exclusive lock on the data directory, held while open
  core::IdGenerator ids_;
  telemetry::Registry metrics_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::RawInbox> inbox_;
  channels::ParserRegistry parsers_;
  Directory directory_;
  std::unique_ptr<ingest::InboxProcessor> processor_;
  std::unique_ptr<Buzz> buzz_;
  std::vector<std::unique_ptr<ingest::MailboxPoller>> mailboxes_;  // email accounts' IMAP readers
  std::mutex triage_mutex_;                                        // one triage edit at a time
  // Each workspace's triage settings from its file, without the tables and rules.
  std::map<domain::WorkspaceId, triage::TriageConfig>
      triage_settings_;  // GUARDED_BY(triage_mutex_)
  std::unique_ptr<storage::Outbox> outbox_;
  std::unique_ptr<auth::Accounts> accounts_;
  EventHub events_{core::RandomHex(8)};
  ChatHub chat_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<http::HttpClient> http_client_;
  outbound::SenderRegistry senders_;
  std::unique_ptr<outbound::Dispatcher> dispatcher_;
  std::unique_ptr<outbound::WebhookDispatcher> webhooks_;
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;
  std::atomic<bool> shutting_down_{false};
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace parley::app
