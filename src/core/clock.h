// The clock interface. Everything that reads the time takes a Clock&, so tests and the simulator
// drive time by hand and never sleep.
#pragma once

#include <atomic>

#include "parley/core/time.h"

namespace parley::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time. Thread-safe.
  virtual Timestamp Now() const = 0;
};

// The real clock. Thread-safe; stateless.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
  // One process-wide instance, for the composition root; code below it takes a Clock&.
  static SystemClock& Instance();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_ms_(ToMillis(start)) {}
  Timestamp Now() const override { return FromMillis(now_ms_.load(std::memory_order_acquire)); }
  void Set(Timestamp t) { now_ms_.store(ToMillis(t), std::memory_order_release); }
  void Advance(Duration d) { now_ms_.fetch_add(d.count(), std::memory_order_acq_rel); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace parley::core
