// The audit trail (C5.5): every mention and every action, append-only. Each entry carries the hash
// of the one before it, so a changed or removed entry breaks the chain. Hashing is done by the
// storage layer when it appends; here the entry is a plain value.
#pragma once

#include <cstdint>
#include <string>

#include "parley/domain/ids.h"

namespace parley::domain {

struct AuditEvent {
  std::int64_t sequence = 0;  // 1, 2, 3, ... per deployment; assigned on append
  WorkspaceId workspace_id;
  Timestamp at;
  std::string actor;         // "user:123", "system", "rule:456"
  std::string action;        // "conversation.assigned", "reply.approved", ...
  std::string subject_type;  // "conversation", "message", "rule", ...
  std::string subject_id;
  std::string note;           // a person's words, or the reason
  std::string details_json;   // structured details, a JSON object
  std::string previous_hash;  // hex SHA-256 of the previous entry; empty for the first
  std::string hash;           // hex SHA-256 of this entry's fields and previous_hash

  bool operator==(const AuditEvent&) const = default;
};

}  // namespace parley::domain
