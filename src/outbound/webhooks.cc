#include "parley/outbound/webhooks.h"

#include <algorithm>
#include <charconv>

#include "parley/core/crypto.h"
#include "parley/telemetry/log.h"

namespace parley::outbound {

using telemetry::LogWarn;

std::string WebhookSignature(std::string_view secret, std::int64_t unix_seconds,
                             std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  std::string signed_text;
  signed_text.reserve(t.size() + 1 + body.size());
  signed_text.append(t).append(".").append(body);
  return "t=" + t + ",v1=" + core::ToHex(core::HmacSha256(secret, signed_text));
}

WebhookDispatcher::WebhookDispatcher(storage::Store& store, http::HttpClient& client,
                                     const core::Clock& clock, core::IdGenerator& ids,
                                     telemetry::Registry* metrics, WebhookOptions options)
    : store_(store), client_(client), clock_(clock), ids_(ids), options_(options) {
  if (metrics != nullptr) {
    const std::string help = "Outgoing webhook attempts by result.";
    sent_counter_ =
        &metrics->GetCounter("parley_webhook_attempts_total", help, {{"result", "sent"}});
    retried_counter_ =
        &metrics->GetCounter("parley_webhook_attempts_total", help, {{"result", "retry"}});
    failed_counter_ =
        &metrics->GetCounter("parley_webhook_attempts_total", help, {{"result", "failed"}});
  }
}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

core::Status WebhookDispatcher::Reload() {
  PARLEY_ASSIGN_OR_RETURN(auto subscriptions, storage::ListAll<domain::WebhookSubscription>(
                                                  store_, domain::WorkspaceId()));
  std::lock_guard lock(mutex_);
  subscriptions_ = std::move(subscriptions);
  return core::Ok();
}

core::Status WebhookDispatcher::Start() {
  PARLEY_TRY(Reload());
  // What a previous run left queued goes on; the log of settled deliveries stays in the store.
  PARLEY_ASSIGN_OR_RETURN(auto deliveries,
                          storage::ListAll<domain::WebhookDelivery>(store_, domain::WorkspaceId()));
  {
    std::lock_guard lock(mutex_);
    for (auto& delivery : deliveries) {
      if (delivery.state == domain::DeliveryState::kQueued) queued_.push_back(std::move(delivery));
    }
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
  return core::Ok();
}

void WebhookDispatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool WebhookDispatcher::Listening(domain::WorkspaceId workspace, std::string_view type) {
  std::lock_guard lock(mutex_);
  return std::any_of(subscriptions_.begin(), subscriptions_.end(), [&](const auto& s) {
    return s.enabled && s.workspace_id == workspace && domain::Wants(s, type);
  });
}

void WebhookDispatcher::Publish(domain::WorkspaceId workspace, std::string type, std::string body) {
  {
    // The caller asked Listening first; Accept matches the subscriptions again when it stores.
    std::lock_guard lock(mutex_);
    if (pending_.size() >= options_.max_pending) {
      LogWarn("webhook.backlog_full", {{"workspace", workspace.value()}, {"event", type}});
      return;
    }
    pending_.push_back({workspace, std::move(type), std::move(body)});
  }
  wake_.notify_one();
}

core::Result<domain::WebhookDelivery> WebhookDispatcher::Redeliver(domain::WebhookDeliveryId id) {
  PARLEY_ASSIGN_OR_RETURN(auto stored, storage::Get<domain::WebhookDelivery>(store_, id));
  if (!stored) return core::MakeError(core::ErrorCode::kNotFound, "no such delivery");
  domain::WebhookDelivery delivery = std::move(*stored);
  {
    std::lock_guard lock(mutex_);
    if (std::any_of(queued_.begin(), queued_.end(), [&](const auto& q) { return q.id == id; })) {
      return core::MakeError(core::ErrorCode::kFailedPrecondition,
                             "the delivery is still being tried");
    }
  }
  delivery.state = domain::DeliveryState::kQueued;
  delivery.attempts = 0;
  delivery.next_attempt_at = clock_.Now();
  delivery.finished_at.reset();
  PARLEY_TRY(store_.Apply(storage::WriteBatch().Put(delivery)));
  {
    std::lock_guard lock(mutex_);
    queued_.push_back(delivery);
  }
  wake_.notify_one();
  return delivery;
}

void WebhookDispatcher::Save(const domain::WebhookDelivery& delivery) {
  if (auto stored = store_.Apply(storage::WriteBatch().Put(delivery)); !stored.ok()) {
    LogWarn("webhook.store_failed",
            {{"delivery", delivery.id.value()}, {"error", stored.error().message}});
  }
}

void WebhookDispatcher::Accept(std::deque<Pending> events) {
  std::vector<domain::WebhookSubscription> subscriptions;
  {
    std::lock_guard lock(mutex_);
    subscriptions = subscriptions_;
  }
  storage::WriteBatch batch;
  std::vector<domain::WebhookDelivery> created;
  const core::Timestamp now = clock_.Now();
  for (Pending& event : events) {
    for (const auto& subscription : subscriptions) {
      if (!subscription.enabled || subscription.workspace_id != event.workspace ||
          !domain::Wants(subscription, event.type)) {
        continue;
      }
      domain::WebhookDelivery delivery;
      delivery.id = ids_.NextId<domain::WebhookDeliveryId>();
      delivery.workspace_id = event.workspace;
      delivery.webhook_id = subscription.id;
      delivery.event = event.type;
      delivery.body = event.body;
      delivery.created_at = now;
      delivery.next_attempt_at = now;
      batch.Put(delivery);
      created.push_back(std::move(delivery));
    }
  }
  if (batch.empty()) return;
  if (auto stored = store_.Apply(batch); !stored.ok()) {
    // Still tried: the log may miss them if the server stops before they are settled.
    LogWarn("webhook.store_failed", {{"deliveries", static_cast<std::int64_t>(created.size())},
                                     {"error", stored.error().message}});
  }
  std::lock_guard lock(mutex_);
  for (auto& delivery : created) queued_.push_back(std::move(delivery));
}

void WebhookDispatcher::Attempt(domain::WebhookDelivery delivery) {
  std::optional<domain::WebhookSubscription> subscription;
  {
    std::lock_guard lock(mutex_);
    for (const auto& s : subscriptions_) {
      if (s.id == delivery.webhook_id) subscription = s;
    }
  }
  const core::Timestamp started = clock_.Now();
  if (!subscription || !subscription->enabled) {
    delivery.state = domain::DeliveryState::kFailed;
    delivery.finished_at = started;
    delivery.last_error = subscription ? "the webhook is disabled" : "the webhook was deleted";
    Save(delivery);
    return;
  }
  const std::int64_t unix_seconds = core::ToMillis(started) / 1000;
  http::ClientRequest request;
  request.method = "POST";
  request.url = subscription->url;
  request.timeout = options_.timeout;
  request.body = delivery.body;
  request.headers = {
      {"Content-Type", "application/json"},
      {"User-Agent", "Parley-Webhooks/1"},
      {"Parley-Event", delivery.event},
      {"Parley-Delivery", delivery.id.ToString()},
      {"Parley-Signature", WebhookSignature(subscription->secret, unix_seconds, delivery.body)},
  };
  const http::ClientOutcome outcome = client_.Send(request);
  const core::Timestamp finished = clock_.Now();
  delivery.attempts += 1;
  delivery.last_duration_ms = core::ToMillis(finished) - core::ToMillis(started);
  delivery.last_status = outcome.response ? outcome.response->status : 0;
  if (outcome.response && outcome.response->status >= 200 && outcome.response->status < 300) {
    delivery.state = domain::DeliveryState::kSent;
    delivery.finished_at = finished;
    delivery.last_error.clear();
    if (sent_counter_) sent_counter_->Increment();
    Save(delivery);
    return;
  }
  delivery.last_error = outcome.response
                            ? "the receiver answered " + std::to_string(outcome.response->status)
                            : "no answer: " + outcome.error;
  if (delivery.attempts >= options_.max_attempts) {
    delivery.state = domain::DeliveryState::kFailed;
    delivery.finished_at = finished;
    if (failed_counter_) failed_counter_->Increment();
    LogWarn("webhook.failed", {{"delivery", delivery.id.value()},
                               {"webhook", delivery.webhook_id.value()},
                               {"attempts", delivery.attempts},
                               {"error", delivery.last_error}});
    Save(delivery);
    return;
  }
  core::Duration wait = options_.first_retry;
  for (int i = 1; i < delivery.attempts && wait < options_.max_retry; ++i) wait *= 2;
  wait = std::min(wait, options_.max_retry);
  if (outcome.response && outcome.response->status == 429) {
    const std::string_view after = outcome.response->Header("retry-after");
    std::int64_t seconds = 0;
    if (std::from_chars(after.data(), after.data() + after.size(), seconds).ec == std::errc() &&
        seconds > 0) {
      wait = std::min<core::Duration>(std::chrono::seconds(seconds), options_.max_retry);
    }
  }
  delivery.next_attempt_at = finished + wait;
  if (retried_counter_) retried_counter_->Increment();
  Save(delivery);
  std::lock_guard lock(mutex_);
  queued_.push_back(std::move(delivery));
}

void WebhookDispatcher::Loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (!pending_.empty()) {
      std::deque<Pending> events;
      events.swap(pending_);
      lock.unlock();
      Accept(std::move(events));
      lock.lock();
      continue;
    }
    if (stopping_) return;
    // The due delivery that has waited longest goes first.
    const core::Timestamp now = clock_.Now();
    auto due = std::min_element(queued_.begin(), queued_.end(), [](const auto& a, const auto& b) {
      return a.next_attempt_at < b.next_attempt_at;
    });
    if (due != queued_.end() && due->next_attempt_at <= now) {
      domain::WebhookDelivery delivery = std::move(*due);
      queued_.erase(due);
      lock.unlock();
      Attempt(std::move(delivery));
      lock.lock();
      continue;
    }
    if (due == queued_.end()) {
      wake_.wait(lock);
    } else {
      // The clock may be a test's; wake at least every 100 ms to look at it again.
      const auto wait =
          std::min<core::Duration>(due->next_attempt_at - now, std::chrono::milliseconds(100));
      wake_.wait_for(lock, wait);
    }
  }
}

}  // namespace parley::outbound
