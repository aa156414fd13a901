// Reads the durable raw inbox and feeds the live engines: the second half of "durable first"
// (ARCHITECTURE.md, "Ingest"). For each pending payload: find its channel account, parse it with
// that channel's parser, hand the events to the workspace's engine, and mark the payload processed
// once the engine's write is committed. A payload that cannot be processed becomes a dead letter
// with the reason; a transient failure (storage unavailable) leaves it pending for the next pass.
// Because engines are idempotent by platform id, processing a payload twice (after a crash between
// the engine's commit and the inbox update) changes nothing.
//
// Thread-safety: ProcessAvailable is called by one thread at a time (the background thread, or
// the caller when no thread was started). Notify, Start and Stop may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "parley/channels/parser.h"
#include "parley/engine/engine_thread.h"
#include "parley/storage/raw_inbox.h"
#include "parley/telemetry/metrics.h"

namespace parley::ingest {

// Where payloads go: the channel account by id, and the engine of a workspace.
class IngestTargets {
 public:
  virtual ~IngestTargets() = default;
  virtual std::optional<domain::ChannelAccount> FindAccount(domain::ChannelAccountId id) = 0;
  // nullptr when the workspace has no engine here.
  virtual engine::EngineThread* EngineFor(domain::WorkspaceId workspace) = 0;
};

struct ProcessorOptions {
  int batch = 256;  // payloads fetched per round
};

struct PassStats {
  std::int64_t processed = 0;
  std::int64_t dead_lettered = 0;
  std::int64_t deferred = 0;  // left pending after a transient failure
  std::int64_t messages_created = 0;
  std::int64_t duplicates = 0;
};

class InboxProcessor {
 public:
  InboxProcessor(storage::RawInbox& inbox, const channels::ParserRegistry& parsers,
                 IngestTargets& targets, const core::Clock& clock, ProcessorOptions options,
                 telemetry::Registry* metrics = nullptr);
  ~InboxProcessor();

  // Processes every payload pending now, then returns what it did. Stops early, leaving the rest
  // pending, when storage is unavailable.
  core::Result<PassStats> ProcessAvailable();

  // Runs ProcessAvailable on a background thread whenever Notify() is called, and every
  // `retry_every` to pick up deferred payloads.
  void Start(std::chrono::milliseconds retry_every = std::chrono::milliseconds(1000));
  void Notify();
  // Triages every new inbound message before it reaches its engine: with the workspace's own
  // triager when one was set, else with a fresh copy of `base`. Call before Start.
  void SetTriager(std::unique_ptr<triage::Triager> base) { triager_ = std::move(base); }
  void SetTriager(domain::WorkspaceId workspace, std::unique_ptr<triage::Triager> triager) {
    std::lock_guard lock(triagers_mutex_);
    triagers_[workspace] = std::move(triager);
  }
  // Replaces the workspace's triage configuration from any thread; the next message triaged uses
  // it. An invalid configuration (a bad pattern, a rule naming no table) changes nothing and is
  // the error. REQUIRES: SetTriager(base) was called.
  core::Status Reconfigure(domain::WorkspaceId workspace, triage::TriageConfig config);
  // Finishes the pass under way (and one more, for what arrived meanwhile), then stops.
  void Stop();

 private:
  struct Parsed;
  struct Round;
  void Loop(std::chrono::milliseconds retry_every);
  std::future<core::Result<std::vector<engine::Outcome>>> Submit(
      engine::EngineThread& engine, std::vector<engine::Command> commands);
  // Parses a fetched batch and submits it to the engines.
  std::unique_ptr<Round> Begin(std::vector<storage::RawPayload> batch, PassStats& stats);
  // Waits for a round's engines, then marks its payloads processed, deferred or dead.
  core::Status Finish(Round& round, PassStats& stats, bool& unavailable);
  void DeadLetter(const storage::RawPayload& payload, const std::string& reason, PassStats& stats);

  storage::RawInbox& inbox_;
  const channels::ParserRegistry& parsers_;
  IngestTargets& targets_;
  const core::Clock& clock_;
  const ProcessorOptions options_;

  std::unique_ptr<triage::Triager> triager_;
  // Entries are added, never removed, so a triager found stays valid. Triage runs on the
  // processor thread; Reconfigure swaps a triager's compiled configuration from any thread.
  std::mutex triagers_mutex_;
  std::map<domain::WorkspaceId, std::unique_ptr<triage::Triager>>
      triagers_;  // GUARDED_BY(triagers_mutex_)
  triage::Triager* TriagerFor(domain::WorkspaceId workspace);

  telemetry::Counter* processed_counter_ = nullptr;
  telemetry::Counter* dead_letter_counter_ = nullptr;
  telemetry::Counter* duplicate_counter_ = nullptr;
  telemetry::Histogram* pass_latency_ = nullptr;

  std::mutex mutex_;
  std::condition_variable cv_;
  bool notified_ = false;  // GUARDED_BY(mutex_)
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace parley::ingest
