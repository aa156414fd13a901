#include "parley/engine/engine_thread.h"

namespace parley::engine {

EngineThread::EngineThread(std::unique_ptr<Engine> engine, int max_batch, Listener listener)
    : engine_(std::move(engine)), listener_(std::move(listener)), max_batch_(max_batch) {
  thread_ = std::thread([this] { Loop(); });
}

EngineThread::~EngineThread() { Stop(); }

void EngineThread::Submit(std::vector<Command> commands, Callback done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(Submission{std::move(commands), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(core::MakeError(core::ErrorCode::kUnavailable, "engine is stopping"));
}

void EngineThread::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EngineThread::Loop() {
  using std::chrono::milliseconds;
  constexpr milliseconds kLongestSleep(1000);  // the engine's clock may be a test's
  std::vector<Submission> taken;
  std::vector<Command> commands;
  bool tick_failed = false;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      const auto ready = [this] { return stopping_ || !queue_.empty(); };
      const auto due = engine_->NextWake();
      if (!due) {
        cv_.wait(lock, ready);
      } else {
        const auto delay = std::chrono::duration_cast<milliseconds>(*due - engine_->clock().Now());
        if (tick_failed || delay > milliseconds(0)) {
          cv_.wait_for(lock, tick_failed ? kLongestSleep : std::min(delay, kLongestSleep), ready);
        }
      }
      if (queue_.empty()) {
        if (stopping_) return;
        const auto wake = engine_->NextWake();
        if (!wake || engine_->clock().Now() < *wake) continue;
        taken.push_back(Submission{{RoutingCommand{}}, nullptr});  // a tick
      } else {
        std::size_t count = 0;
        // Always take at least one submission, however large.
        while (!queue_.empty() && (taken.empty() || count + queue_.front().commands.size() <=
                                                        static_cast<std::size_t>(max_batch_))) {
          count += queue_.front().commands.size();
          taken.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
    }
    for (auto& submission : taken) {
      for (auto& command : submission.commands) commands.push_back(std::move(command));
    }
    auto result = engine_->Process(commands);
    tick_failed = !result.ok() && taken.size() == 1 && !taken.front().done;
    auto events = engine_->TakeRoutingEvents();
    if (result.ok() && listener_) listener_(engine_->workspace(), *result, events);
    std::size_t offset = 0;
    for (auto& submission : taken) {
      const std::size_t n = submission.commands.size();
      if (!submission.done) {
        // a tick: nobody waits on it
      } else if (result.ok()) {
        std::vector<Outcome> mine(result->begin() + static_cast<std::ptrdiff_t>(offset),
                                  result->begin() + static_cast<std::ptrdiff_t>(offset + n));
        submission.done(std::move(mine));
      } else {
        submission.done(result.error());
      }
      offset += n;
    }
    taken.clear();
    commands.clear();
  }
}

}  // namespace parley::engine
