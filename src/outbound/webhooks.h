// Outgoing webhooks: each live event of a workspace is POSTed to every subscription of the
// workspace that wants it, signed, retried with backoff, and logged (domain/webhook.h).
//
// The signature, for the receiver to check (docs/webhooks.md):
//   Parley-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// with Parley-Event (the type) and Parley-Delivery (the delivery id, the same at every attempt:
// the receiver's key for ignoring repeats). A 2xx answer settles the delivery; anything else, or
// no answer, is tried again after first_retry, doubling up to max_retry (or what a 429's
// Retry-After asks), until max_attempts; then it is failed, and stays in the log for a person to
// redeliver.
//
// Deliveries are stored before their first attempt and after every attempt, so a restart goes on
// with what was queued. Events are queued in memory by Publish until the thread stores them.
//
// Thread-safety: every public method from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "parley/core/clock.h"
#include "parley/core/id.h"
#include "parley/domain/webhook.h"
#include "parley/http/client.h"
#include "parley/storage/store.h"
#include "parley/telemetry/metrics.h"

namespace parley::outbound {

struct WebhookOptions {
  int max_attempts = 8;
  core::Duration first_retry = std::chrono::seconds(10);
  core::Duration max_retry = std::chrono::hours(1);
  std::chrono::milliseconds timeout{10'000};  // for one attempt
  std::size_t max_pending = 100'000;  // events waiting to be stored; beyond: dropped, logged
};

// The Parley-Signature header's value for `body` sent at `unix_seconds`.
std::string WebhookSignature(std::string_view secret, std::int64_t unix_seconds,
                             std::string_view body);

class WebhookDispatcher {
 public:
  // Everything passed by reference must outlive the dispatcher. `metrics` may be null.
  WebhookDispatcher(storage::Store& store, http::HttpClient& client, const core::Clock& clock,
                    core::IdGenerator& ids, telemetry::Registry* metrics,
                    WebhookOptions options = {});
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // Loads the subscriptions and what is still queued, then starts the thread.
  core::Status Start();
  // Stores what was published, finishes the attempt in flight, and stops.
  void Stop();

  // Whether an enabled subscription wants events of `type` from the workspace (so that the caller
  // need not build a body nobody reads).
  bool Listening(domain::WorkspaceId workspace, std::string_view type);
  // An event for the workspace's subscriptions (call when Listening said some want it; one that
  // none wants by the time it is stored is dropped then). Only queues: cheap enough to call from
  // the event hub's subscriber.
  void Publish(domain::WorkspaceId workspace, std::string type, std::string body);
  // The subscriptions were changed: read them again.
  core::Status Reload();
  // Queues a delivery again (a failed one, or a sent one a receiver lost), as a fresh attempt
  // series. kNotFound when there is no such delivery.
  core::Result<domain::WebhookDelivery> Redeliver(domain::WebhookDeliveryId id);

 private:
  struct Pending {
    domain::WorkspaceId workspace;
    std::string type;
    std::string body;
  };
  void Loop();
  // Stores a delivery for each subscription that wants each pending event.
  void Accept(std::deque<Pending> events);
  void Attempt(domain::WebhookDelivery delivery);
  void Save(const domain::WebhookDelivery& delivery);

  storage::Store& store_;
  http::HttpClient& client_;
  const core::Clock& clock_;
  core::IdGenerator& ids_;
  const WebhookOptions options_;
  telemetry::Counter* sent_counter_ = nullptr;
  telemetry::Counter* retried_counter_ = nullptr;
  telemetry::Counter* failed_counter_ = nullptr;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;                                   // GUARDED_BY(mutex_)
  std::deque<Pending> pending_;                             // GUARDED_BY(mutex_)
  std::vector<domain::WebhookSubscription> subscriptions_;  // GUARDED_BY(mutex_)
  std::vector<domain::WebhookDelivery> queued_;             // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace parley::outbound
