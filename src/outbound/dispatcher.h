// The outbox's dispatcher: one thread that claims due items, hands each to its platform's sender
// and records what came back (ARCHITECTURE.md "Outbound").
//
//   sent         the platform accepted it; its id is kept
//   failed       refused for good (expired token, closed window, invalid), with the reason
//   queued       a rate limit or an outage: tried again after what the platform asked for, or an
//                exponential backoff; failed after max_attempts
//   unconfirmed  no answer after the request left, or the server stopped mid-request: never sent
//                again by itself (that is what makes a reply go out at most once); the platform's
//                echo settles it, or a person who checked requeues it
//
// Every change of an item is told to the listener (the engine records the message's delivery
// status from it).
//
// Thread-safety: Start, Wake and Stop from any thread; RunOnce only when the thread is not running.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "parley/core/clock.h"
#include "parley/core/id.h"
#include "parley/outbound/sender.h"
#include "parley/storage/outbox.h"
#include "parley/telemetry/metrics.h"

namespace parley::outbound {

struct DispatcherOptions {
  int max_attempts = 8;
  core::Duration first_backoff = std::chrono::seconds(2);
  core::Duration max_backoff = std::chrono::minutes(15);
  // How often the outbox is looked at without being woken: items enqueued by another process
  // (`parley outbox send`) are found this way.
  std::chrono::milliseconds poll_interval{1000};
  int claim_batch = 16;  // items attempted per pass before the loop looks at the clock again
};

class Dispatcher {
 public:
  using AccountLookup =
      std::function<std::optional<domain::ChannelAccount>(domain::ChannelAccountId)>;
  using Listener = std::function<void(const domain::OutboxItem&)>;

  // Everything passed by reference must outlive the dispatcher. `metrics` may be null.
  Dispatcher(storage::Outbox& outbox, const SenderRegistry& senders, AccountLookup accounts,
             const core::Clock& clock, core::IdGenerator& ids, Listener listener,
             telemetry::Registry* metrics, DispatcherOptions options = {});
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Marks what a previous run left sending as unconfirmed (telling the listener), then starts
  // the thread.
  core::Status Start();
  // Something was enqueued: look now rather than at the next poll.
  void Wake();
  // Finishes the request in flight (bounded by the client's timeout) and stops.
  void Stop();

  // Without the thread (tests): the in-doubt recovery of Start, and one pass over what is due
  // (at most claim_batch items, each claimed alone right before its request, so a crash leaves
  // at most one item in doubt). RunOnce returns how many items it attempted.
  core::Result<std::vector<domain::OutboxItem>> Recover();
  core::Result<int> RunOnce();

 private:
  void Loop();
  bool stopping();
  void SendAndSettle(domain::OutboxItem item);
  // The item after `result`, ready for Outbox::Finish.
  domain::OutboxItem Settle(domain::OutboxItem item, const SendResult& result) const;
  void Count(const domain::OutboxItem& item, const char* result);

  storage::Outbox& outbox_;
  const SenderRegistry& senders_;
  AccountLookup accounts_;
  const core::Clock& clock_;
  core::IdGenerator& ids_;
  Listener listener_;
  telemetry::Registry* metrics_;
  const DispatcherOptions options_;

  std::mutex mutex_;
  std::condition_variable cv_;
  bool woken_ = false;     // GUARDED_BY(mutex_)
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace parley::outbound
