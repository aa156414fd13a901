#include "parley/app/application.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "parley/app/routes.h"
#include "parley/core/time.h"
#include "parley/domain/json_codec.h"
#include "parley/outbound/email_sender.h"
#include "parley/outbound/webchat_sender.h"
#include "parley/routing/setup.h"
#include "parley/sqlite/sqlite_inbox.h"
#include "parley/sqlite/sqlite_outbox.h"
#include "parley/sqlite/sqlite_store.h"
#include "parley/telemetry/log.h"
#include "parley/triage/triage.h"

namespace parley::app {

using telemetry::LogError;
using telemetry::LogInfo;
using telemetry::LogWarn;

std::optional<domain::ChannelAccount> Directory::FindAccount(domain::ChannelAccountId id) {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(id);
  if (it == accounts_.end()) return std::nullopt;
  return it->second;
}

std::optional<domain::ChannelAccount> Directory::FindAccountByPlatformId(
    domain::ChannelKind kind, std::string_view platform_id) {
  std::lock_guard lock(mutex_);
  for (const auto& [id, account] : accounts_) {
    if (account.kind == kind && account.platform_account_id == platform_id && account.enabled) {
      return account;
    }
  }
  return std::nullopt;
}

std::vector<domain::ChannelAccount> Directory::AccountsOfKind(domain::ChannelKind kind) {
  std::lock_guard lock(mutex_);
  std::vector<domain::ChannelAccount> out;
  for (const auto& [id, account] : accounts_) {
    if (account.kind == kind && account.enabled) out.push_back(account);
  }
  return out;
}

std::vector<domain::ChannelAccount> Directory::AllAccounts() {
  std::lock_guard lock(mutex_);
  std::vector<domain::ChannelAccount> out;
  for (const auto& [id, account] : accounts_) out.push_back(account);
  return out;
}

engine::EngineThread* Directory::EngineFor(domain::WorkspaceId workspace) {
  std::lock_guard lock(mutex_);
  auto it = engines_.find(workspace);
  return it == engines_.end() ? nullptr : it->second.get();
}

void Directory::AddAccount(domain::ChannelAccount account) {
  std::lock_guard lock(mutex_);
  accounts_[account.id] = std::move(account);
}

void Directory::AddEngine(domain::WorkspaceId workspace,
                          std::unique_ptr<engine::EngineThread> engine) {
  std::lock_guard lock(mutex_);
  engines_[workspace] = std::move(engine);
}

void Directory::StopEngines() {
  // Stopped outside the lock: an engine finishing its last batch may still look up the directory
  // (its events' subscribers do).
  std::vector<engine::EngineThread*> engines;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, engine] : engines_) engines.push_back(engine.get());
  }
  for (auto* engine : engines) engine->Stop();
}

std::vector<domain::Workspace> Directory::Workspaces() const {
  std::lock_guard lock(mutex_);
  std::vector<domain::Workspace> out;
  for (const auto& [id, engine] : engines_) out.push_back(engine->workspace());
  return out;
}

namespace {

// The live events of a batch the engine wrote.
void PublishOutcomes(EventHub& hub, const domain::Workspace& workspace,
                     const std::vector<engine::Outcome>& outcomes) {
  for (const auto& outcome : outcomes) {
    if (outcome.kind != engine::OutcomeKind::kCreated &&
        outcome.kind != engine::OutcomeKind::kUpdated) {
      continue;
    }
    nlohmann::json data = {
        {"message_id", outcome.message_id.ToString()},
        {"conversation_id", outcome.conversation_id
                                ? nlohmann::json(outcome.conversation_id.ToString())
                                : nlohmann::json(nullptr)}};
    if (!outcome.platform_message_id.empty()) {
      data["platform_message_id"] = outcome.platform_message_id;
    }
    if (outcome.kind == engine::OutcomeKind::kCreated)
      data["from_customer"] = outcome.IsNewCustomerMessage();
    if (outcome.new_conversation) {
      hub.Publish("conversation.created", workspace.id, outcome.team_id, data);
    }
    hub.Publish(
        outcome.kind == engine::OutcomeKind::kCreated ? "message.created" : "message.updated",
        workspace.id, outcome.team_id, data);
  }
}

// The router's events of a batch the engine wrote: assignments with their reasons, queues,
// overflows, SLA warnings and breaches, presence, viewing and typing (C3, C6).
void PublishRouting(EventHub& hub, const domain::Workspace& workspace,
                    const std::vector<routing::Event>& events) {
  for (const auto& event : events) {
    nlohmann::json data = nlohmann::json::object();
    auto id = [](auto value) {
      return value ? nlohmann::json(value.ToString()) : nlohmann::json(nullptr);
    };
    if (event.conversation) data["conversation_id"] = id(event.conversation);
    if (event.agent) data["agent_id"] = id(event.agent);
    if (event.team) data["team_id"] = id(event.team);
    if (!event.reason.empty()) data["reason"] = event.reason;
    data["at"] = core::FormatIso8601(event.at);
    std::string type;
    switch (event.kind) {
      case routing::EventKind::kQueued:
        type = "conversation.queued";
        break;
      case routing::EventKind::kAssigned: {
        type = "conversation.assigned";
        nlohmann::json passed = nlohmann::json::array();
        for (const auto& c : event.considered) {
          passed.push_back({{"agent_id", c.agent.ToString()}, {"why_not", c.why_not}});
        }
        data["passed_over"] = std::move(passed);
        break;
      }
      case routing::EventKind::kUnassigned:
        type = "conversation.unassigned";
        data["silent"] = event.silent;
        break;
      case routing::EventKind::kOverflowed:
        type = "conversation.overflowed";
        data["to_team_id"] = id(event.to_team);
        break;
      case routing::EventKind::kLeaderAlerted:
        type = "team.leader_alerted";
        break;
      case routing::EventKind::kSlaWarning:
      case routing::EventKind::kSlaBreached:
      case routing::EventKind::kSlaStopped:
        type = event.kind == routing::EventKind::kSlaWarning    ? "sla.warning"
               : event.kind == routing::EventKind::kSlaBreached ? "sla.breached"
                                                                : "sla.stopped";
        data["clock"] = routing::ToString(event.clock);
        if (event.due) data["due"] = core::FormatIso8601(*event.due);
        break;
      case routing::EventKind::kPresence:
        type = "agent.presence";
        data["presence"] = domain::ToString(event.presence);
        break;
      case routing::EventKind::kViewing:
        type = "conversation.viewing";
        break;
      case routing::EventKind::kTyping:
        type = "conversation.typing";
        break;
      case routing::EventKind::kResolved:
        type = "conversation.resolved";
        break;
      case routing::EventKind::kQueueDepth:
        type = "queue.depth";
        data["queued"] = event.queued;
        data["oldest_queued_at"] =
            event.oldest_queued_at ? nlohmann::json(core::FormatIso8601(*event.oldest_queued_at))
                                   : nlohmann::json(nullptr);
        break;
    }
    hub.Publish(std::move(type), workspace.id, event.team, std::move(data));
  }
}

// The stored things of one kind in a workspace, by name, for ids that stay the same from one
// start to the next.
template <typename T>
core::Result<std::map<std::string, T>> ByName(storage::Store& store, domain::WorkspaceId workspace,
                                              std::string T::*name) {
  PARLEY_ASSIGN_OR_RETURN(auto all, storage::ListAll<T>(store, workspace));
  std::map<std::string, T> out;
  for (auto& item : all) out.emplace(item.*name, std::move(item));
  return out;
}

// What the file names is put; what it no longer names is removed.
template <typename T>
void Replace(storage::WriteBatch& batch, const std::map<std::string, T>& stored,
             std::vector<T>& declared, domain::WorkspaceId workspace) {
  std::set<std::int64_t> kept;
  for (auto& item : declared) {
    item.workspace_id = workspace;
    kept.insert(item.id.value());
    batch.Put(item);
  }
  for (const auto& [name, item] : stored) {
    if (!kept.contains(item.id.value())) {
      batch.Delete(storage::EntityTraits<T>::kKind, item.id.value());
    }
  }
}

}  // namespace

core::Status PutRoutingSetup(storage::Store& store, core::IdGenerator& ids,
                             domain::Workspace& workspace, const nlohmann::json& spec,
                             storage::WriteBatch& batch) {
  auto invalid = [](const std::string& what) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, what);
  };
  PARLEY_TRY(
      domain::CheckKnownFields(spec, "routing",
                               std::vector<std::string_view>(routing::kRoutingDocumentKeys.begin(),
                                                             routing::kRoutingDocumentKeys.end())));
  PARLEY_ASSIGN_OR_RETURN(auto agents, ByName(store, workspace.id, &domain::Agent::display_name));
  PARLEY_ASSIGN_OR_RETURN(auto teams, ByName(store, workspace.id, &domain::Team::name));
  PARLEY_ASSIGN_OR_RETURN(auto calendars,
                          ByName(store, workspace.id, &domain::BusinessCalendar::name));
  PARLEY_ASSIGN_OR_RETURN(auto policies, ByName(store, workspace.id, &domain::SlaPolicy::name));
  auto id_of = [&](const auto& stored, const std::string& name, auto fresh) -> std::int64_t {
    const auto found = stored.find(name);
    return found != stored.end() ? found->second.id.value() : fresh.value();
  };
  auto setup = routing::ReadRoutingSetup(
      spec, [&](std::string_view kind, const std::string& name) -> std::int64_t {
        if (kind == "agent") return id_of(agents, name, ids.NextId<domain::AgentId>());
        if (kind == "team") return id_of(teams, name, ids.NextId<domain::TeamId>());
        if (kind == "calendar") {
          return id_of(calendars, name, ids.NextId<domain::CalendarId>());
        }
        return id_of(policies, name, ids.NextId<domain::SlaPolicyId>());
      });
  if (!setup.ok()) return setup.error();
  routing::RouterConfig& config = setup->config;
  if (spec.contains("default_sla_policy")) {  // stored as the policy "default" of every team
    domain::SlaPolicy policy = config.default_policy;
    policy.name = "default";
    policy.id = domain::SlaPolicyId(id_of(policies, "default", ids.NextId<domain::SlaPolicyId>()));
    for (auto& team : config.teams) {
      if (!team.sla_policy_id) team.sla_policy_id = policy.id;
    }
    config.sla_policies.push_back(std::move(policy));
  }
  // Refused now, with the reason, rather than by the engine later.
  if (auto check = routing::Router::Create(config, core::Timestamp{}); !check.ok()) {
    return invalid(check.error().message);
  }
  // An agent's chosen presence is theirs (stored as they change it) unless the set-up gives one.
  const auto& declared = spec.value("agents", nlohmann::json::object());
  for (auto& agent : config.agents) {
    const auto stored = agents.find(agent.display_name);
    if (stored != agents.end() && declared.contains(agent.display_name) &&
        !declared[agent.display_name].contains("status")) {
      agent.presence = stored->second.presence;
    }
  }
  Replace(batch, agents, config.agents, workspace.id);
  Replace(batch, teams, config.teams, workspace.id);
  Replace(batch, calendars, config.calendars, workspace.id);
  Replace(batch, policies, config.sla_policies, workspace.id);
  workspace.default_team_id = setup->default_team;
  batch.Put(workspace);
  LogInfo("workspace.routing", {{"slug", workspace.slug},
                                {"teams", static_cast<std::int64_t>(config.teams.size())},
                                {"agents", static_cast<std::int64_t>(config.agents.size())}});
  return core::Ok();
}

core::Result<nlohmann::json> GetRoutingSetup(storage::Store& store,
                                             const domain::Workspace& workspace) {
  routing::RouterConfig config;
  PARLEY_ASSIGN_OR_RETURN(config.teams, storage::ListAll<domain::Team>(store, workspace.id));
  PARLEY_ASSIGN_OR_RETURN(config.agents, storage::ListAll<domain::Agent>(store, workspace.id));
  PARLEY_ASSIGN_OR_RETURN(config.calendars,
                          storage::ListAll<domain::BusinessCalendar>(store, workspace.id));
  PARLEY_ASSIGN_OR_RETURN(config.sla_policies,
                          storage::ListAll<domain::SlaPolicy>(store, workspace.id));
  return routing::WriteRoutingSetup(config, workspace.default_team_id);
}

namespace {

// A workspace's routing file (config `routing`), stored at start.
core::Status DeclareRouting(storage::Store& store, core::IdGenerator& ids,
                            domain::Workspace& workspace, const std::string& path,
                            storage::WriteBatch& batch) {
  const std::string where = "workspaces." + workspace.slug + ".routing: ";
  std::ifstream in(path);
  if (!in) return core::MakeError(core::ErrorCode::kInvalidArgument, where + "cannot read " + path);
  const nlohmann::json spec = nlohmann::json::parse(in, nullptr, false);
  if (spec.is_discarded()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, where + path + " is not valid JSON");
  }
  if (auto put = PutRoutingSetup(store, ids, workspace, spec, batch); !put.ok()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, where + put.error().message);
  }
  return core::Ok();
}

// Submits a report to the engine; if the batch it joined fails (a storage error, or another
// command in it), submits it again on its own, `retries` times, before logging it lost.
void Submit(engine::EngineThread& engine, engine::OutboundCommand command, int retries) {
  std::vector<engine::Command> commands;
  commands.emplace_back(command);
  engine.Submit(std::move(commands), [&engine, command, retries](auto outcomes) {
    if (outcomes.ok()) return;
    if (retries > 0) {
      // From the engine's thread: Submit only queues, so this does not wait on itself.
      Submit(engine, command, retries - 1);
      return;
    }
    LogError("outbound.record_failed",
             {{"outbox", command.item.id.value()}, {"error", outcomes.error().ToString()}});
  });
}

// The engine of the item's workspace records what the outbox did (engine::OutboundCommand).
void ReportOutbound(Directory& directory, const domain::OutboxItem& item) {
  auto account = directory.FindAccount(item.channel_account_id);
  engine::EngineThread* engine = account ? directory.EngineFor(account->workspace_id) : nullptr;
  if (engine == nullptr) {
    LogWarn("outbound.unrecorded",
            {{"outbox", item.id.value()}, {"reason", "no engine for the item's channel account"}});
    return;
  }
  Submit(*engine, engine::OutboundCommand{item, *account}, 3);
}

}  // namespace

Application::Application(config::Config config, const core::Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      ids_(clock, config_.node.id),
      parsers_(channels::ParserRegistry::Default()) {}

Application::~Application() { Shutdown(); }

core::Result<std::unique_ptr<Application>> Application::Open(const config::Config& config,
                                                             const core::Clock& clock) {
  std::unique_ptr<Application> app(new Application(config, clock));
  const std::filesystem::path dir(config.storage.data_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return core::MakeError(core::ErrorCode::kUnavailable,
                           "storage.data_dir: cannot create " + dir.string() + ": " + ec.message());
  }
  // One server per data directory: two would each take the other's in-flight replies for
  // interrupted ones.
  const std::string lock_path = (dir / "parley.lock").string();
  app->data_lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (app->data_lock_fd_ < 0 || ::flock(app->data_lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return core::MakeError(core::ErrorCode::kFailedPrecondition,
                           "storage.data_dir: " + dir.string() +
                               " is in use by another Parley process (" + std::strerror(errno) +
                               ")");
  }
  auto store = sqlite::SqliteStore::Open((dir / "parley.db").string(), clock);
  PARLEY_TRY(store);
  app->store_ = std::move(store).value();
  auto inbox = sqlite::SqliteInbox::Open((dir / "inbox.db").string(), clock,
                                         sqlite::InboxOptions{config.inbox.max_batch});
  PARLEY_TRY(inbox);
  app->inbox_ = std::move(inbox).value();
  PARLEY_TRY(app->DeclareConfigured());

  // One engine per workspace, and every channel account.
  app->buzz_ = std::make_unique<Buzz>(clock.Now());
  auto workspaces = storage::ListAll<domain::Workspace>(*app->store_, domain::WorkspaceId());
  PARLEY_TRY(workspaces);
  for (auto& workspace : *workspaces) {
    const auto id = workspace.id;
    auto live =
        std::make_unique<engine::Engine>(std::move(workspace), *app->store_, clock, app->ids_);
    live->SetOutboxConfirmer(
        [app = app.get()](domain::OutboxId item, const std::string& platform_id) {
          auto status = app->outbox_->Confirm(item, platform_id, app->clock_.Now());
          if (status.ok()) {
            LogInfo("outbound.confirmed_by_platform",
                    {{"outbox", item.value()}, {"platform_id", platform_id}});
          } else if (status.error().code != core::ErrorCode::kFailedPrecondition) {
            // kFailedPrecondition: still sending; the dispatcher records the platform's answer.
            LogError("outbound.confirm_failed",
                     {{"outbox", item.value()}, {"error", status.error().ToString()}});
          }
        });
    auto thread = std::make_unique<engine::EngineThread>(
        std::move(live), config.ingest.batch * 4,
        [hub = &app->events_, buzz = app->buzz_.get(), &clock](
            const domain::Workspace& of, const std::vector<engine::Outcome>& outcomes,
            const std::vector<routing::Event>& routed) {
          std::int64_t from_customers = 0;
          for (const auto& outcome : outcomes) {
            from_customers += outcome.IsNewCustomerMessage();
          }
          if (from_customers > 0) buzz->Count(of.id, clock.Now(), from_customers);
          PublishOutcomes(*hub, of, outcomes);
          PublishRouting(*hub, of, routed);
        });
    app->directory_.AddEngine(id, std::move(thread));
  }
  auto accounts = storage::ListAll<domain::ChannelAccount>(*app->store_, domain::WorkspaceId());
  PARLEY_TRY(accounts);
  for (auto& account : *accounts) app->directory_.AddAccount(std::move(account));

  app->processor_ = std::make_unique<ingest::InboxProcessor>(
      *app->inbox_, app->parsers_, app->directory_, clock,
      ingest::ProcessorOptions{config.ingest.batch}, &app->metrics_);
  // Triage with the shipped defaults, compiled once; the processor keeps a copy per workspace
  // (each remembering its own recent posts and authors) and triages while the engines write.
  // A workspace with its own set-up (a triage file, brand handles, stored keyword tables or
  // rules) gets its own compiled configuration.
  auto triager = triage::Triager::Create(triage::TriageConfig{}, clock);
  PARLEY_TRY(triager);
  app->processor_->SetTriager(std::move(triager).value());
  PARLEY_TRY(app->DeclareTriage());
  app->inbox_->SetCommitListener([processor = app->processor_.get()] { processor->Notify(); });

  auto outbox = sqlite::SqliteOutbox::Open((dir / "outbox.db").string(), clock);
  PARLEY_TRY(outbox);
  app->outbox_ = std::move(outbox).value();
  app->http_client_ = std::make_unique<http::HttpClient>();
  app->senders_ = outbound::SocialSenders(*app->http_client_);
  app->senders_.Register(domain::ChannelKind::kEmail, std::make_shared<outbound::EmailSender>());
  app->senders_.Register(
      domain::ChannelKind::kWebChat,
      std::make_shared<outbound::WebChatSender>(
          [chat = &app->chat_](const domain::ChannelAccount& account, const std::string& visitor,
                               const std::string& event) {
            return chat->Send(account.workspace_id, visitor, event);
          }));
  outbound::WebhookOptions webhook_options;
  webhook_options.max_attempts = config.webhooks.max_attempts;
  webhook_options.first_retry = std::chrono::milliseconds(config.webhooks.first_retry_ms);
  webhook_options.max_retry = std::chrono::milliseconds(config.webhooks.max_retry_ms);
  webhook_options.timeout = std::chrono::milliseconds(config.webhooks.timeout_ms);
  app->webhooks_ = std::make_unique<outbound::WebhookDispatcher>(
      *app->store_, *app->http_client_, clock, app->ids_, &app->metrics_, webhook_options);
  outbound::DispatcherOptions outbound_options;
  outbound_options.max_attempts = config.outbound.max_attempts;
  outbound_options.poll_interval = std::chrono::milliseconds(config.outbound.poll_interval_ms);
  Directory* directory = &app->directory_;
  app->dispatcher_ = std::make_unique<outbound::Dispatcher>(
      *app->outbox_, app->senders_,
      [directory](domain::ChannelAccountId id) { return directory->FindAccount(id); }, clock,
      app->ids_, [directory](const domain::OutboxItem& item) { ReportOutbound(*directory, item); },
      &app->metrics_, outbound_options);
  app->accounts_ = std::make_unique<auth::Accounts>(*app->store_, clock, app->ids_);
  app->AddRoutes();
  return app;
}

core::Result<domain::OutboxItem> Application::Enqueue(domain::OutboxItem item) {
  if (item.created_at == domain::Timestamp()) item.created_at = clock_.Now();
  auto stored = outbox_->Enqueue(std::move(item));
  PARLEY_TRY(stored);
  dispatcher_->Wake();
  return stored;
}

core::Status Application::DeclareConfigured() {
  auto stored_workspaces = storage::ListAll<domain::Workspace>(*store_, domain::WorkspaceId());
  PARLEY_TRY(stored_workspaces);
  storage::WriteBatch batch;
  std::map<std::string, domain::WorkspaceId> by_slug;
  for (const auto& w : *stored_workspaces) by_slug[w.slug] = w.id;
  for (const auto& declared : config_.workspaces) {
    domain::Workspace workspace;
    auto existing = std::find_if(stored_workspaces->begin(), stored_workspaces->end(),
                                 [&](const auto& w) { return w.slug == declared.slug; });
    if (existing != stored_workspaces->end()) {
      workspace = *existing;
    } else {
      workspace.id = ids_.NextId<domain::WorkspaceId>();
      workspace.created_at = clock_.Now();
      LogInfo("workspace.created", {{"slug", declared.slug}, {"id", workspace.id.value()}});
    }
    workspace.slug = declared.slug;
    workspace.name = declared.name;
    workspace.time_zone = declared.time_zone;
    workspace.brand_handles = declared.brand_handles;
    if (!declared.resolution_codes.empty()) {
      workspace.resolution_codes = declared.resolution_codes;
    }
    if (!declared.routing.empty()) {
      PARLEY_TRY(DeclareRouting(*store_, ids_, workspace, declared.routing, batch));
    }
    by_slug[workspace.slug] = workspace.id;
    batch.Put(workspace);
  }
  auto stored_accounts = storage::ListAll<domain::ChannelAccount>(*store_, domain::WorkspaceId());
  PARLEY_TRY(stored_accounts);
  for (const auto& declared : config_.channel_accounts) {
    const auto kind = domain::ParseEnum<domain::ChannelKind>(declared.kind);
    if (!kind) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "channel account kind '" + declared.kind + "' is unknown");
    }
    const domain::WorkspaceId workspace = by_slug.at(declared.workspace);
    domain::ChannelAccount account;
    auto existing =
        std::find_if(stored_accounts->begin(), stored_accounts->end(), [&](const auto& a) {
          return a.workspace_id == workspace && a.kind == *kind &&
                 a.platform_account_id == declared.platform_account_id;
        });
    if (existing != stored_accounts->end()) {
      account = *existing;
    } else {
      account.id = ids_.NextId<domain::ChannelAccountId>();
    }
    account.workspace_id = workspace;
    account.kind = *kind;
    account.name = declared.name;
    account.platform_account_id = declared.platform_account_id;
    account.api_base_url = declared.api_base_url;
    account.inbound_url = declared.inbound_url;
    account.credentials = declared.credentials;
    account.enabled = true;
    batch.Put(account);
  }
  return store_->Apply(batch);
}

core::Status Application::Start() {
  // Whatever was accepted before a crash or a restart is processed before new traffic.
  auto recovered = processor_->ProcessAvailable();
  PARLEY_TRY(recovered);
  if (recovered->processed + recovered->dead_lettered > 0) {
    LogInfo("ingest.recovered",
            {{"processed", recovered->processed}, {"dead_lettered", recovered->dead_lettered}});
  }
  processor_->Start();
  // Email accounts with a mailbox are read over IMAP.
  ingest::MailboxPollerOptions mail;
  mail.idle = std::chrono::seconds(config_.email.idle_seconds);
  mail.poll = std::chrono::seconds(config_.email.poll_seconds);
  mail.max_message_bytes = config_.email.max_message_bytes;
  mail.backfill_days = config_.email.backfill_days;
  for (const auto& account : directory_.AccountsOfKind(domain::ChannelKind::kEmail)) {
    if (account.inbound_url.empty()) continue;
    mailboxes_.push_back(std::make_unique<ingest::MailboxPoller>(account, *inbox_, clock_, mail));
    mailboxes_.back()->Start();
  }
  // Engines learn which replies wait for the platform's echo: those left unconfirmed before...
  domain::OutboxId after;
  while (true) {
    auto unconfirmed = outbox_->List(domain::OutboxState::kUnconfirmed, after, 500);
    PARLEY_TRY(unconfirmed);
    for (const auto& item : *unconfirmed) ReportOutbound(directory_, item);
    if (unconfirmed->size() < 500) break;
    after = unconfirmed->back().id;
  }
  // ...and what the outbox was sending when the server stopped: unconfirmed, never resent.
  PARLEY_TRY(dispatcher_->Start());
  // Every live event also goes to the workspace's outgoing webhooks that want it.
  PARLEY_TRY(webhooks_->Start());
  events_.Subscribe(
      std::nullopt,
      [this](const Event& event) {
        if (!webhooks_->Listening(event.workspace, event.type)) return;
        const nlohmann::json body = {{"event", event.type},
                                     {"seq", event.seq},
                                     {"epoch", events_.epoch()},
                                     {"workspace_id", event.workspace.ToString()},
                                     {"at", core::FormatIso8601(clock_.Now())},
                                     {"data", event.data}};
        webhooks_->Publish(event.workspace, event.type, body.dump());
      },
      [](const EventHub::Subscription&) {});
  // An agent's typing in a web chat shows in the visitor's window.
  events_.Subscribe(
      std::nullopt, [this](const Event& event) { ForwardAgentTyping(*this, event); },
      [](const EventHub::Subscription&) {});

  http::ServerOptions options;
  options.host = config_.server.host;
  options.port = config_.server.port;
  options.threads = config_.server.threads;
  options.max_body_bytes = config_.server.max_body_bytes;
  options.request_timeout = std::chrono::seconds(config_.server.request_timeout_seconds);
  server_ = std::make_unique<http::HttpServer>(options, router_, metrics_);
  PARLEY_TRY(server_->Start());
  LogInfo("server.listening", {{"host", config_.server.host},
                               {"port", server_->port()},
                               {"data_dir", config_.storage.data_dir}});
  return core::Ok();
}

void Application::Shutdown() {
  if (shutting_down_.exchange(true)) return;
  if (server_) {
    const int unfinished =
        server_->Stop(std::chrono::seconds(config_.server.shutdown_grace_seconds));
    if (unfinished > 0) LogWarn("server.unfinished_requests", {{"count", unfinished}});
  }
  if (dispatcher_) dispatcher_->Stop();  // lets the request in flight finish
  // The mailboxes stop together; each stores the message in hand first.
  for (auto& mailbox : mailboxes_) mailbox->RequestStop();
  for (auto& mailbox : mailboxes_) mailbox->Stop();
  if (processor_) processor_->Stop();  // runs a last round over what the inbox holds
  directory_.StopEngines();
  events_.Clear();                   // nothing is published any more
  if (webhooks_) webhooks_->Stop();  // stores the deliveries of the last events
  if (inbox_) inbox_->Close();
  LogInfo("server.stopped");
  if (data_lock_fd_ >= 0) {
    ::close(data_lock_fd_);  // releases the lock
    data_lock_fd_ = -1;
  }
}

void Application::AddRoutes() {
  AddHealthRoutes(router_, RouteContext{*this});
  AddWebhookRoutes(router_, RouteContext{*this});
  api_ = std::make_unique<Api>(*this, router_);
  AddApiRoutes(*api_, *this);
  AddChatRoutes(router_, *this);
  AddStaticRoutes(router_, config_.server.web_root);
}

}  // namespace parley::app
