// A RawInbox in memory, for unit tests and the simulator. Appends are "durable" at once and the
// callback runs on the appending thread. Thread-safe.
#pragma once

#include <map>
#include <mutex>

#include "parley/storage/raw_inbox.h"

namespace parley::storage {

class MemoryInbox final : public RawInbox {
 public:
  void Append(RawPayload payload, AppendCallback done) override;
  core::Result<std::vector<RawPayload>> FetchPending(domain::RawPayloadId after,
                                                     int limit) override;
  core::Status MarkProcessed(const std::vector<domain::RawPayloadId>& ids,
                             domain::Timestamp at) override;
  core::Status MarkDeadLetter(domain::RawPayloadId id, std::string reason) override;
  core::Result<std::vector<RawPayload>> ListDeadLetters(domain::RawPayloadId after,
                                                        int limit) override;
  core::Status Replay(domain::RawPayloadId id) override;
  core::Result<std::optional<RawPayload>> Get(domain::RawPayloadId id) override;
  core::Result<InboxCounts> Counts() override;
  void SetCommitListener(std::function<void()> listener) override;
  void Close() override;

 private:
  core::Result<std::vector<RawPayload>> ListInState(domain::PayloadState state,
                                                    domain::RawPayloadId after, int limit);
  core::Status Move(domain::RawPayloadId id, domain::PayloadState from, domain::PayloadState to,
                    std::string error);

  std::mutex mutex_;
  std::map<std::int64_t, RawPayload> payloads_;  // GUARDED_BY(mutex_)
  std::int64_t next_id_ = 1;                     // GUARDED_BY(mutex_)
  bool closed_ = false;                          // GUARDED_BY(mutex_)
  std::function<void()> listener_;
};

}  // namespace parley::storage
