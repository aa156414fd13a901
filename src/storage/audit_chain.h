// The hash chain of the audit trail, shared by every backend so that `parley audit verify` checks
// one definition.
#pragma once

#include <span>
#include <string>

#include "parley/core/result.h"
#include "parley/domain/audit.h"

namespace parley::storage {

// Hex SHA-256 over the event's fields (sequence, workspace, time, actor, action, subject, note,
// details) and previous_hash, each length-prefixed so that no two different events hash alike.
std::string AuditHash(const domain::AuditEvent& event);

// Sets sequence, previous_hash and hash of `event` to follow `previous` (nullptr: the first).
void ChainAuditEvent(domain::AuditEvent& event, const domain::AuditEvent* previous);

// Checks that `events` (consecutive, in order) form an unbroken chain after `previous_hash`.
// Fails with kInternal naming the first sequence number that does not verify.
core::Status VerifyAuditChain(std::span<const domain::AuditEvent> events,
                              const std::string& previous_hash);

}  // namespace parley::storage
