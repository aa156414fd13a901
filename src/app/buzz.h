// How loud each workspace is (C6): its customers' messages per minute over the last day, counted
// as the engines write them, for the wallboard's buzz chart. In memory: it counts from the
// server's start.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "parley/core/time.h"
#include "parley/domain/ids.h"

namespace parley::app {

class Buzz {
 public:
  static constexpr int kMinutes = 24 * 60;

  explicit Buzz(core::Timestamp started) : started_(started) {}

  void Count(domain::WorkspaceId workspace, core::Timestamp at, std::int64_t messages = 1) {
    const std::int64_t minute = MinuteOf(at);
    std::lock_guard lock(mutex_);
    auto& slot = rings_[workspace][static_cast<std::size_t>(minute % kMinutes)];
    if (slot.first != minute) slot = {minute, 0};
    slot.second += messages;
  }

  // The counts of the `minutes` minutes up to and including the one `now` falls in, oldest
  // first; `minutes` is clamped to 1..kMinutes.
  std::vector<std::int64_t> Minutes(domain::WorkspaceId workspace, core::Timestamp now,
                                    int minutes) const {
    minutes = std::clamp(minutes, 1, kMinutes);
    std::vector<std::int64_t> out(static_cast<std::size_t>(minutes), 0);
    const std::int64_t last = MinuteOf(now);
    std::lock_guard lock(mutex_);
    const auto ring = rings_.find(workspace);
    if (ring == rings_.end()) return out;
    for (int i = 0; i < minutes; ++i) {
      const std::int64_t minute = last - minutes + 1 + i;
      if (minute < 0) continue;
      const auto& slot = ring->second[static_cast<std::size_t>(minute % kMinutes)];
      if (slot.first == minute) out[static_cast<std::size_t>(i)] = slot.second;
    }
    return out;
  }

  core::Timestamp started() const { return started_; }

  // Minutes since the epoch.
  static std::int64_t MinuteOf(core::Timestamp at) { return core::ToMillis(at) / 60'000; }

 private:
  const core::Timestamp started_;
  mutable std::mutex mutex_;
  // Per workspace, one slot per minute of the day: (the minute it holds, its count).
  std::map<domain::WorkspaceId, std::array<std::pair<std::int64_t, std::int64_t>, kMinutes>> rings_;
};

}  // namespace parley::app
