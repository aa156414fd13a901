// The durable raw inbox (PRODUCT.md C1.10, DESIGN.md "Ingest is durable first"): every inbound
// payload is appended here, exactly as received, before the platform gets its 200. Processing reads
// from here, so a crash at any point loses nothing; what cannot be processed stays as a dead letter
// with its reason until an admin replays it.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "parley/core/result.h"
#include "parley/domain/channel.h"
#include "parley/domain/ids.h"
#include "parley/domain/lifecycle.h"

namespace parley::storage {

struct RawPayload {
  domain::RawPayloadId id;  // assigned by the inbox: strictly increasing in append order
  domain::ChannelKind channel = domain::ChannelKind::kGeneric;
  domain::ChannelAccountId account_id;  // none when the account is found while processing
  std::string source;        // how it came: "webhook:/webhooks/generic", "import:file.jsonl"
  std::string headers_json;  // the headers that matter (signatures, content type), a JSON object
  std::string body;          // exactly as received
  domain::Timestamp received_at;
  domain::PayloadState state = domain::PayloadState::kPending;
  int attempts = 0;
  std::string error;  // why it is a dead letter
  std::optional<domain::Timestamp> processed_at;
};

struct InboxCounts {
  std::int64_t pending = 0;
  std::int64_t processed = 0;
  std::int64_t dead_letters = 0;
};

class RawInbox {
 public:
  using AppendCallback = std::function<void(core::Result<domain::RawPayloadId>)>;

  virtual ~RawInbox() = default;

  // Appends the payload (its id and state are assigned here) and calls `done` once it is on
  // stable storage, or with the error. Appends from many threads are committed together (group
  // commit). `done` runs on the inbox's own thread: keep it short and never call back into the
  // inbox from it synchronously.
  virtual void Append(RawPayload payload, AppendCallback done) = 0;

  // Pending payloads with id > after, oldest first, at most `limit`.
  virtual core::Result<std::vector<RawPayload>> FetchPending(domain::RawPayloadId after,
                                                             int limit) = 0;
  virtual core::Status MarkProcessed(const std::vector<domain::RawPayloadId>& ids,
                                     domain::Timestamp at) = 0;
  // Records the failure; the payload is kept, with the reason, until replayed.
  virtual core::Status MarkDeadLetter(domain::RawPayloadId id, std::string reason) = 0;
  virtual core::Result<std::vector<RawPayload>> ListDeadLetters(domain::RawPayloadId after,
                                                                int limit) = 0;
  // Moves a dead letter back to pending (after a fix). kNotFound / kFailedPrecondition otherwise.
  virtual core::Status Replay(domain::RawPayloadId id) = 0;
  virtual core::Result<std::optional<RawPayload>> Get(domain::RawPayloadId id) = 0;
  virtual core::Result<InboxCounts> Counts() = 0;

  // Called after every committed append batch, from the inbox's thread (to wake a processor).
  // Set once, before the first Append.
  virtual void SetCommitListener(std::function<void()> listener) = 0;

  // Commits whatever is queued and stops the writer; later appends fail with kUnavailable.
  virtual void Close() = 0;
};

// Appends and waits until the payload is durable.
core::Result<domain::RawPayloadId> AppendAndWait(RawInbox& inbox, RawPayload payload);

}  // namespace parley::storage
