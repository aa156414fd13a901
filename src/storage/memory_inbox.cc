#include "parley/storage/memory_inbox.h"

#include <future>

namespace parley::storage {

core::Result<domain::RawPayloadId> AppendAndWait(RawInbox& inbox, RawPayload payload) {
  std::promise<core::Result<domain::RawPayloadId>> promise;
  auto future = promise.get_future();
  inbox.Append(std::move(payload), [&promise](core::Result<domain::RawPayloadId> result) {
    promise.set_value(std::move(result));
  });
  return future.get();
}

void MemoryInbox::Append(RawPayload payload, AppendCallback done) {
  domain::RawPayloadId id;
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      done(core::MakeError(core::ErrorCode::kUnavailable, "inbox is closed"));
      return;
    }
    id = domain::RawPayloadId(next_id_++);
    payload.id = id;
    payload.state = domain::PayloadState::kPending;
    payloads_.emplace(id.value(), std::move(payload));
  }
  done(id);
  if (listener_) listener_();
}

core::Result<std::vector<RawPayload>> MemoryInbox::ListInState(domain::PayloadState state,
                                                               domain::RawPayloadId after,
                                                               int limit) {
  std::lock_guard lock(mutex_);
  std::vector<RawPayload> out;
  for (auto it = payloads_.upper_bound(after.value());
       it != payloads_.end() && std::ssize(out) < limit; ++it) {
    if (it->second.state == state) out.push_back(it->second);
  }
  return out;
}

core::Result<std::vector<RawPayload>> MemoryInbox::FetchPending(domain::RawPayloadId after,
                                                                int limit) {
  return ListInState(domain::PayloadState::kPending, after, limit);
}

core::Status MemoryInbox::Move(domain::RawPayloadId id, domain::PayloadState from,
                               domain::PayloadState to, std::string error) {
  std::lock_guard lock(mutex_);
  auto it = payloads_.find(id.value());
  if (it == payloads_.end()) {
    return core::MakeError(core::ErrorCode::kNotFound, "no payload " + id.ToString());
  }
  if (it->second.state != from) {
    return core::MakeError(
        core::ErrorCode::kFailedPrecondition,
        "payload " + id.ToString() + " is not " +
            (from == domain::PayloadState::kPending ? "pending" : "a dead letter"));
  }
  it->second.state = to;
  it->second.error = std::move(error);
  if (to == domain::PayloadState::kDeadLetter) it->second.attempts++;
  return core::Ok();
}

core::Status MemoryInbox::MarkProcessed(const std::vector<domain::RawPayloadId>& ids,
                                        domain::Timestamp at) {
  std::lock_guard lock(mutex_);
  for (auto id : ids) {
    auto it = payloads_.find(id.value());
    if (it == payloads_.end()) {
      return core::MakeError(core::ErrorCode::kNotFound, "no payload " + id.ToString());
    }
  }
  for (auto id : ids) {
    RawPayload& payload = payloads_.at(id.value());
    if (payload.state != domain::PayloadState::kPending) continue;
    payload.state = domain::PayloadState::kProcessed;
    payload.processed_at = at;
    payload.attempts++;
  }
  return core::Ok();
}

core::Status MemoryInbox::MarkDeadLetter(domain::RawPayloadId id, std::string reason) {
  return Move(id, domain::PayloadState::kPending, domain::PayloadState::kDeadLetter,
              std::move(reason));
}

core::Result<std::vector<RawPayload>> MemoryInbox::ListDeadLetters(domain::RawPayloadId after,
                                                                   int limit) {
  return ListInState(domain::PayloadState::kDeadLetter, after, limit);
}

core::Status MemoryInbox::Replay(domain::RawPayloadId id) {
  return Move(id, domain::PayloadState::kDeadLetter, domain::PayloadState::kPending, "");
}

core::Result<std::optional<RawPayload>> MemoryInbox::Get(domain::RawPayloadId id) {
  std::lock_guard lock(mutex_);
  auto it = payloads_.find(id.value());
  if (it == payloads_.end()) return std::optional<RawPayload>();
  return std::optional<RawPayload>(it->second);
}

core::Result<InboxCounts> MemoryInbox::Counts() {
  std::lock_guard lock(mutex_);
  InboxCounts counts;
  for (const auto& [id, payload] : payloads_) {
    switch (payload.state) {
      case domain::PayloadState::kPending:
        ++counts.pending;
        break;
      case domain::PayloadState::kProcessed:
        ++counts.processed;
        break;
      case domain::PayloadState::kDeadLetter:
        ++counts.dead_letters;
        break;
    }
  }
  return counts;
}

void MemoryInbox::SetCommitListener(std::function<void()> listener) {
  listener_ = std::move(listener);
}

void MemoryInbox::Close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
}

}  // namespace parley::storage
