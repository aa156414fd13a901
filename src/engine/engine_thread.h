// Runs one Engine on its own thread, fed by a command queue: the concurrency model of the live
// engine (ARCHITECTURE.md). Submissions from any thread are queued; the thread drains everything
// queued, processes it as one batch (one store write), and completes each submission's callback.
// When the router's next timer falls due with nothing queued, the thread processes a tick
// (RoutingCommand::kTick) by itself; after a failed tick it waits a second before the next.
//
// Thread-safety: Submit and Stop may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "parley/engine/engine.h"

namespace parley::engine {

class EngineThread {
 public:
  using Callback = std::function<void(core::Result<std::vector<Outcome>>)>;
  // Told, on the engine thread, of the outcomes of every batch written and the router's events
  // in it (the live events).
  using Listener = std::function<void(const domain::Workspace&, const std::vector<Outcome>&,
                                      const std::vector<routing::Event>&)>;

  // Takes ownership of the engine and starts the thread. `max_batch` bounds the commands
  // processed in one store write.
  EngineThread(std::unique_ptr<Engine> engine, int max_batch, Listener listener = {});
  ~EngineThread();

  // Queues the commands; `done` is called from the engine thread with one outcome per command.
  void Submit(std::vector<Command> commands, Callback done);

  // Processes everything already queued, then stops. Later submissions fail with kUnavailable.
  void Stop();

  const domain::Workspace& workspace() const { return engine_->workspace(); }

 private:
  struct Submission {
    std::vector<Command> commands;
    Callback done;
  };
  void Loop();

  std::unique_ptr<Engine> engine_;  // used only by the thread
  const Listener listener_;
  const int max_batch_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Submission> queue_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;         // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace parley::engine
