#include "parley/storage/audit_chain.h"

#include "parley/core/crypto.h"

namespace parley::storage {
namespace {

void Append(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

}  // namespace

std::string AuditHash(const domain::AuditEvent& event) {
  std::string input;
  Append(input, std::to_string(event.sequence));
  Append(input, std::to_string(event.workspace_id.value()));
  Append(input, std::to_string(core::ToMillis(event.at)));
  Append(input, event.actor);
  Append(input, event.action);
  Append(input, event.subject_type);
  Append(input, event.subject_id);
  Append(input, event.note);
  Append(input, event.details_json);
  Append(input, event.previous_hash);
  return core::ToHex(core::Sha256(input));
}

void ChainAuditEvent(domain::AuditEvent& event, const domain::AuditEvent* previous) {
  event.sequence = previous ? previous->sequence + 1 : 1;
  event.previous_hash = previous ? previous->hash : std::string();
  event.hash = AuditHash(event);
}

core::Status VerifyAuditChain(std::span<const domain::AuditEvent> events,
                              const std::string& previous_hash) {
  std::string expected_previous = previous_hash;
  for (const auto& event : events) {
    if (event.previous_hash != expected_previous || AuditHash(event) != event.hash) {
      return core::MakeError(core::ErrorCode::kInternal,
                             "audit chain broken at sequence " + std::to_string(event.sequence));
    }
    expected_previous = event.hash;
  }
  return core::Ok();
}

}  // namespace parley::storage
