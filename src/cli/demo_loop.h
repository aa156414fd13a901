// The thread under each of `parley demo`'s simulations (the stream, the simulated agents): it
// runs a body that sleeps between steps, and stops promptly when asked, even mid-sleep.
//
// Thread-safety: Start and Stop from one thread; Sleep from the body.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace parley::cli {

class DemoLoop {
 public:
  DemoLoop() = default;
  ~DemoLoop() { Stop(); }
  DemoLoop(const DemoLoop&) = delete;
  DemoLoop& operator=(const DemoLoop&) = delete;

  void Start(std::function<void()> body) {
    if (thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stopping_ = false;
    }
    thread_ = std::thread(std::move(body));
  }

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  // Waits `duration`; false when the loop was asked to stop meanwhile (the body returns then).
  bool Sleep(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, duration, [this] { return stopping_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace parley::cli
