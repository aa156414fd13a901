#include "parley/ingest/processor.h"

#include <future>
#include <map>

#include "parley/telemetry/log.h"

namespace parley::ingest {

using telemetry::LogError;
using telemetry::LogWarn;

struct InboxProcessor::Parsed {
  storage::RawPayload payload;
  domain::WorkspaceId workspace;
  std::vector<engine::Command> commands;
};

// One fetched batch on its way through the engines: a submission per workspace, answered on the
// engines' threads while the processor fetches and parses the next batch.
struct InboxProcessor::Round {
  struct Submission {
    engine::EngineThread* engine = nullptr;
    std::vector<Parsed*> items;
    std::future<core::Result<std::vector<engine::Outcome>>> outcomes;
  };
  std::vector<Parsed> parsed;
  std::vector<Submission> submissions;
  std::chrono::steady_clock::time_point started;
};

InboxProcessor::InboxProcessor(storage::RawInbox& inbox, const channels::ParserRegistry& parsers,
                               IngestTargets& targets, const core::Clock& clock,
                               ProcessorOptions options, telemetry::Registry* metrics)
    : inbox_(inbox), parsers_(parsers), targets_(targets), clock_(clock), options_(options) {
  if (metrics != nullptr) {
    processed_counter_ = &metrics->GetCounter("parley_ingest_payloads_processed_total",
                                              "Raw payloads processed into events.");
    dead_letter_counter_ = &metrics->GetCounter("parley_ingest_dead_letters_total",
                                                "Raw payloads that could not be processed.");
    duplicate_counter_ =
        &metrics->GetCounter("parley_ingest_duplicates_total",
                             "Messages recognised as already held (platform retries).");
    pass_latency_ = &metrics->GetHistogram("parley_ingest_round_seconds",
                                           "Time to process one round of pending payloads.");
  }
}

InboxProcessor::~InboxProcessor() { Stop(); }

triage::Triager* InboxProcessor::TriagerFor(domain::WorkspaceId workspace) {
  std::lock_guard lock(triagers_mutex_);
  if (auto it = triagers_.find(workspace); it != triagers_.end()) return it->second.get();
  if (!triager_) return nullptr;
  auto& slot = triagers_[workspace];
  slot = triager_->Fresh();
  return slot.get();
}

core::Status InboxProcessor::Reconfigure(domain::WorkspaceId workspace,
                                         triage::TriageConfig config) {
  triage::Triager* triager = TriagerFor(workspace);
  if (triager == nullptr) {
    return core::MakeError(core::ErrorCode::kFailedPrecondition, "triage is not set up");
  }
  // Compiles outside the lock: the processor keeps triaging with the old configuration until the
  // new one is swapped in.
  return triager->Configure(std::move(config));
}

std::future<core::Result<std::vector<engine::Outcome>>> InboxProcessor::Submit(
    engine::EngineThread& engine, std::vector<engine::Command> commands) {
  auto promise = std::make_shared<std::promise<core::Result<std::vector<engine::Outcome>>>>();
  auto future = promise->get_future();
  engine.Submit(std::move(commands), [promise](core::Result<std::vector<engine::Outcome>> r) {
    promise->set_value(std::move(r));
  });
  return future;
}

void InboxProcessor::DeadLetter(const storage::RawPayload& payload, const std::string& reason,
                                PassStats& stats) {
  LogWarn("ingest.dead_letter", {{"payload", payload.id.value()},
                                 {"channel", domain::ToString(payload.channel)},
                                 {"reason", reason}});
  if (auto status = inbox_.MarkDeadLetter(payload.id, reason); !status.ok()) {
    LogError("ingest.dead_letter_failed",
             {{"payload", payload.id.value()}, {"error", status.error().ToString()}});
    ++stats.deferred;
    return;
  }
  ++stats.dead_lettered;
  if (dead_letter_counter_) dead_letter_counter_->Increment();
}

std::unique_ptr<InboxProcessor::Round> InboxProcessor::Begin(std::vector<storage::RawPayload> batch,
                                                             PassStats& stats) {
  auto round = std::make_unique<Round>();
  round->started = std::chrono::steady_clock::now();
  round->parsed.reserve(batch.size());
  // Parse everything first; what cannot be parsed is dead-lettered on the spot.
  for (auto& payload : batch) {
    auto account = targets_.FindAccount(payload.account_id);
    if (!account) {
      DeadLetter(payload, "unknown channel account " + payload.account_id.ToString(), stats);
      continue;
    }
    if (!targets_.EngineFor(account->workspace_id)) {
      DeadLetter(payload, "no engine for workspace " + account->workspace_id.ToString(), stats);
      continue;
    }
    const channels::PayloadParser* parser = parsers_.Find(payload.channel);
    if (parser == nullptr) {
      DeadLetter(
          payload,
          std::string("no parser for channel ") + std::string(domain::ToString(payload.channel)),
          stats);
      continue;
    }
    auto events =
        parser->Parse({payload.body, payload.headers_json, *account, payload.received_at});
    if (!events.ok()) {
      DeadLetter(payload, events.error().message, stats);
      continue;
    }
    Parsed item{std::move(payload), account->workspace_id, {}};
    triage::Triager* triager = TriagerFor(account->workspace_id);
    for (auto& event : *events) {
      engine::IngestCommand command{std::move(event), *account, item.payload.id, nullptr};
      const auto* inbound = std::get_if<domain::InboundMessage>(&command.event);
      if (triager != nullptr && inbound != nullptr &&
          inbound->message.direction == domain::Direction::kInbound) {
        command.triage = std::make_shared<const triage::TriageResult>(
            triager->Triage(triage::InputFor(inbound->message)));
      }
      item.commands.emplace_back(std::move(command));
    }
    round->parsed.push_back(std::move(item));
  }
  // One submission per workspace; each engine writes its share in one batch.
  std::map<domain::WorkspaceId, std::vector<Parsed*>> by_workspace;
  for (auto& item : round->parsed) by_workspace[item.workspace].push_back(&item);
  for (auto& [workspace, items] : by_workspace) {
    Round::Submission submission;
    submission.engine = targets_.EngineFor(workspace);
    submission.items = items;
    std::vector<engine::Command> commands;
    for (Parsed* item : items) {
      for (auto& command : item->commands) commands.push_back(command);
    }
    submission.outcomes = Submit(*submission.engine, std::move(commands));
    round->submissions.push_back(std::move(submission));
  }
  return round;
}

core::Status InboxProcessor::Finish(Round& round, PassStats& stats, bool& unavailable) {
  std::vector<domain::RawPayloadId> done;
  auto count = [&](const std::vector<engine::Outcome>& outcomes) {
    for (const auto& outcome : outcomes) {
      if (outcome.kind == engine::OutcomeKind::kCreated) ++stats.messages_created;
      if (outcome.kind == engine::OutcomeKind::kDuplicate) {
        ++stats.duplicates;
        if (duplicate_counter_) duplicate_counter_->Increment();
      }
    }
  };
  for (auto& submission : round.submissions) {
    auto outcomes = submission.outcomes.get();
    if (outcomes.ok()) {
      count(*outcomes);
      for (Parsed* item : submission.items) done.push_back(item->payload.id);
      continue;
    }
    if (outcomes.error().code == core::ErrorCode::kUnavailable) {
      LogWarn("ingest.deferred", {{"error", outcomes.error().ToString()}});
      stats.deferred += std::ssize(submission.items);
      unavailable = true;
      continue;
    }
    // The batch failed for a reason that is not transient: find the payload responsible by
    // running each on its own, and dead-letter only what fails alone.
    for (Parsed* item : submission.items) {
      auto alone = Submit(*submission.engine, item->commands).get();
      if (alone.ok()) {
        count(*alone);
        done.push_back(item->payload.id);
      } else if (alone.error().code == core::ErrorCode::kUnavailable) {
        ++stats.deferred;
        unavailable = true;
      } else {
        DeadLetter(item->payload, alone.error().ToString(), stats);
      }
    }
  }
  if (!done.empty()) {
    PARLEY_TRY(inbox_.MarkProcessed(done, clock_.Now()));
    stats.processed += std::ssize(done);
    if (processed_counter_) processed_counter_->Increment(done.size());
  }
  if (pass_latency_) {
    pass_latency_->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - round.started).count());
  }
  return core::Ok();
}

core::Result<PassStats> InboxProcessor::ProcessAvailable() {
  PassStats stats;
  domain::RawPayloadId cursor;
  bool unavailable = false;
  // Two rounds in flight: while the engines work on one, the next is fetched and parsed, and the
  // one before is marked processed.
  std::unique_ptr<Round> previous;
  core::Status status;
  while (!unavailable) {
    auto pending = inbox_.FetchPending(cursor, options_.batch);
    if (!pending.ok()) {
      status = pending.error();
      break;
    }
    if (pending->empty()) break;
    cursor = pending->back().id;
    auto round = Begin(std::move(pending).value(), stats);
    if (previous) {
      status = Finish(*previous, stats, unavailable);
      if (!status.ok()) break;
    }
    previous = std::move(round);
  }
  if (previous) {
    auto last = Finish(*previous, stats, unavailable);
    if (status.ok()) status = last;
  }
  PARLEY_TRY(status);
  return stats;
}

void InboxProcessor::Start(std::chrono::milliseconds retry_every) {
  thread_ = std::thread([this, retry_every] { Loop(retry_every); });
}

void InboxProcessor::Notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  cv_.notify_one();
}

void InboxProcessor::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void InboxProcessor::Loop(std::chrono::milliseconds retry_every) {
  while (true) {
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, retry_every, [this] { return notified_ || stopping_; });
      notified_ = false;
      stopping = stopping_;
    }
    auto stats = ProcessAvailable();
    if (!stats.ok()) LogError("ingest.round_failed", {{"error", stats.error().ToString()}});
    if (stopping) return;
  }
}

}  // namespace parley::ingest
