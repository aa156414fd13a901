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

core::Result<std::vector<engine::Outcome>> InboxProcessor::RunOnEngine(
    engine::EngineThread& engine, std::vector<engine::Command> commands) {
  std::promise<core::Result<std::vector<engine::Outcome>>> promise;
  auto future = promise.get_future();
  engine.Submit(std::move(commands), [&promise](core::Result<std::vector<engine::Outcome>> r) {
    promise.set_value(std::move(r));
  });
  return future.get();
}

core::Result<PassStats> InboxProcessor::ProcessAvailable() {
  PassStats stats;
  domain::RawPayloadId cursor;
  while (true) {
    const auto started = std::chrono::steady_clock::now();
    auto pending = inbox_.FetchPending(cursor, options_.batch);
    PARLEY_TRY(pending);
    if (pending->empty()) break;
    cursor = pending->back().id;

    // Parse everything first; what cannot be parsed is dead-lettered on the spot.
    std::vector<Parsed> parsed;
    auto dead_letter = [&](const storage::RawPayload& payload, const std::string& reason) {
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
    };
    for (auto& payload : *pending) {
      auto account = targets_.FindAccount(payload.account_id);
      if (!account) {
        dead_letter(payload, "unknown channel account " + payload.account_id.ToString());
        continue;
      }
      if (!targets_.EngineFor(account->workspace_id)) {
        dead_letter(payload, "no engine for workspace " + account->workspace_id.ToString());
        continue;
      }
      const channels::PayloadParser* parser = parsers_.Find(payload.channel);
      if (parser == nullptr) {
        dead_letter(payload, std::string("no parser for channel ") +
                                 std::string(domain::ToString(payload.channel)));
        continue;
      }
      auto events =
          parser->Parse({payload.body, payload.headers_json, *account, payload.received_at});
      if (!events.ok()) {
        dead_letter(payload, events.error().message);
        continue;
      }
      Parsed item{std::move(payload), account->workspace_id, {}};
      for (auto& event : *events) {
        item.commands.emplace_back(
            engine::IngestCommand{std::move(event), *account, item.payload.id});
      }
      parsed.push_back(std::move(item));
    }

    // One submission per workspace; each engine writes its share in one batch.
    std::map<domain::WorkspaceId, std::vector<Parsed*>> by_workspace;
    for (auto& item : parsed) by_workspace[item.workspace].push_back(&item);
    std::vector<domain::RawPayloadId> done;
    bool unavailable = false;
    auto count = [&](const std::vector<engine::Outcome>& outcomes) {
      for (const auto& outcome : outcomes) {
        if (outcome.kind == engine::OutcomeKind::kCreated) ++stats.messages_created;
        if (outcome.kind == engine::OutcomeKind::kDuplicate) {
          ++stats.duplicates;
          if (duplicate_counter_) duplicate_counter_->Increment();
        }
      }
    };
    for (auto& [workspace, items] : by_workspace) {
      engine::EngineThread* engine = targets_.EngineFor(workspace);
      std::vector<engine::Command> commands;
      for (Parsed* item : items) {
        for (auto& command : item->commands) commands.push_back(command);
      }
      auto outcomes = RunOnEngine(*engine, std::move(commands));
      if (outcomes.ok()) {
        count(*outcomes);
        for (Parsed* item : items) done.push_back(item->payload.id);
        continue;
      }
      if (outcomes.error().code == core::ErrorCode::kUnavailable) {
        LogWarn("ingest.deferred",
                {{"workspace", workspace.value()}, {"error", outcomes.error().ToString()}});
        stats.deferred += std::ssize(items);
        unavailable = true;
        continue;
      }
      // The batch failed for a reason that is not transient: find the payload responsible by
      // running each on its own, and dead-letter only what fails alone.
      for (Parsed* item : items) {
        auto alone = RunOnEngine(*engine, item->commands);
        if (alone.ok()) {
          count(*alone);
          done.push_back(item->payload.id);
        } else if (alone.error().code == core::ErrorCode::kUnavailable) {
          ++stats.deferred;
          unavailable = true;
        } else {
          dead_letter(item->payload, alone.error().ToString());
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
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    if (unavailable) break;
  }
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
