#include "parley/outbound/dispatcher.h"

#include <algorithm>

#include "parley/telemetry/log.h"

namespace parley::outbound {

using domain::OutboxItem;
using domain::OutboxState;
using telemetry::LogError;
using telemetry::LogInfo;
using telemetry::LogWarn;

Dispatcher::Dispatcher(storage::Outbox& outbox, const SenderRegistry& senders,
                       AccountLookup accounts, const core::Clock& clock, core::IdGenerator& ids,
                       Listener listener, telemetry::Registry* metrics, DispatcherOptions options)
    : outbox_(outbox),
      senders_(senders),
      accounts_(std::move(accounts)),
      clock_(clock),
      ids_(ids),
      listener_(std::move(listener)),
      metrics_(metrics),
      options_(options) {}

Dispatcher::~Dispatcher() { Stop(); }

core::Result<std::vector<OutboxItem>> Dispatcher::Recover() {
  auto recovered = outbox_.RecoverInDoubt(clock_.Now());
  PARLEY_TRY(recovered);
  for (const auto& item : *recovered) {
    LogWarn("outbound.unconfirmed_after_restart",
            {{"outbox", item.id.value()}, {"kind", domain::ToString(item.action.kind)}});
    Count(item, "unconfirmed");
    if (listener_) listener_(item);
  }
  return recovered;
}

core::Status Dispatcher::Start() {
  PARLEY_TRY(Recover());
  thread_ = std::thread([this] { Loop(); });
  return core::Ok();
}

void Dispatcher::Wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void Dispatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Dispatcher::stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void Dispatcher::Loop() {
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      woken_ = false;
    }
    auto attempted = RunOnce();
    auto wait = options_.poll_interval;
    if (!attempted.ok()) {
      // The outbox cannot be read: wait a whole interval rather than spin on the error.
      LogError("outbound.outbox_error", {{"error", attempted.error().ToString()}});
    } else if (*attempted >= options_.claim_batch) {
      continue;  // there may be more due right now
    } else if (auto due = outbox_.NextDue(); due.ok() && due->has_value()) {
      auto until = std::chrono::duration_cast<std::chrono::milliseconds>(**due - clock_.Now());
      wait = std::clamp(until, std::chrono::milliseconds(0), wait);
    }
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, wait, [this] { return stopping_ || woken_; });
  }
}

core::Result<int> Dispatcher::RunOnce() {
  int attempted = 0;
  while (attempted < options_.claim_batch && !stopping()) {
    // One item per claim, right before its request: whatever the server is doing when it
    // stops, at most this one item is in doubt.
    auto claimed = outbox_.Claim(clock_.Now(), 1, [this](OutboxItem& item) {
      if (domain::CarriesMessage(item.action.kind) && !item.message_id.valid()) {
        item.message_id = ids_.NextId<domain::MessageId>();
      }
    });
    PARLEY_TRY(claimed);
    if (claimed->empty()) break;
    SendAndSettle(std::move(claimed->front()));
    ++attempted;
  }
  return attempted;
}

void Dispatcher::SendAndSettle(OutboxItem item) {
  {
    if (listener_) listener_(item);  // sending: the message shows as queued
    SendResult result;
    auto account = accounts_(item.channel_account_id);
    Sender* sender = account ? senders_.Find(account->kind) : nullptr;
    if (!account) {
      result = SendResult::Failed("not_configured",
                                  "no channel account " + item.channel_account_id.ToString());
    } else if (sender == nullptr) {
      result = SendResult::Failed(
          "unsupported", "Parley cannot send on " + std::string(domain::ToString(account->kind)));
    } else {
      result = sender->Send(item, *account, clock_.Now());
    }
    OutboxItem settled = Settle(item, result);
    core::Status finished = outbox_.Finish(settled);
    for (int retry = 0; !finished.ok() && retry < 3; ++retry) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100 << retry));
      finished = outbox_.Finish(settled);
    }
    if (!finished.ok()) {
      // It stays sending, so the next start reports it unconfirmed rather than sending it
      // again; the engine still learns what the platform said.
      LogError("outbound.finish_failed",
               {{"outbox", item.id.value()}, {"error", finished.error().ToString()}});
    }
    const char* counted = settled.state == OutboxState::kSent     ? "sent"
                          : settled.state == OutboxState::kFailed ? "failed"
                          : settled.state == OutboxState::kQueued ? "retry"
                                                                  : "unconfirmed";
    Count(settled, counted);
    if (settled.state != OutboxState::kSent) {
      LogWarn("outbound.not_sent", {{"outbox", settled.id.value()},
                                    {"state", domain::ToString(settled.state)},
                                    {"code", settled.error_code},
                                    {"reason", settled.error},
                                    {"attempt", settled.attempts}});
    } else {
      LogInfo("outbound.sent",
              {{"outbox", settled.id.value()}, {"platform_id", settled.platform_id}});
    }
    if (listener_) listener_(settled);
  }
}

OutboxItem Dispatcher::Settle(OutboxItem item, const SendResult& result) const {
  const auto now = clock_.Now();
  item.error_code = result.code;
  item.error = result.reason;
  switch (result.kind) {
    case SendResult::Kind::kSent:
      item.state = OutboxState::kSent;
      item.platform_id = result.platform_id;
      item.error_code.clear();
      item.error.clear();
      item.finished_at = now;
      return item;
    case SendResult::Kind::kFailed:
      item.state = OutboxState::kFailed;
      item.finished_at = now;
      return item;
    case SendResult::Kind::kUnconfirmed:
      item.state = OutboxState::kUnconfirmed;
      item.finished_at = now;
      return item;
    case SendResult::Kind::kRetry:
      break;
  }
  if (item.attempts >= options_.max_attempts) {
    item.state = OutboxState::kFailed;
    item.error = "gave up after " + std::to_string(item.attempts) + " attempts: " + result.reason;
    item.finished_at = now;
    return item;
  }
  // Exponential backoff from the first attempt, never shorter than what the platform asked.
  const int doublings = std::min(item.attempts - 1, 20);
  core::Duration backoff =
      std::min(options_.first_backoff * (std::int64_t{1} << doublings), options_.max_backoff);
  if (result.retry_after) backoff = std::max(backoff, *result.retry_after);
  item.state = OutboxState::kQueued;
  item.next_attempt_at = now + backoff;
  return item;
}

void Dispatcher::Count(const OutboxItem& item, const char* result) {
  if (metrics_ == nullptr) return;
  metrics_
      ->GetCounter("parley_outbound_total", "Outbound attempts by action and result.",
                   {{"kind", std::string(domain::ToString(item.action.kind))}, {"result", result}})
      .Increment();
}

}  // namespace parley::outbound
