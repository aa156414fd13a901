#include "parley/storage/audit_chain.h"

#include <openssl/sha.h>

#include <array>
#include <cstdio>

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
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  std::string hex;
  hex.reserve(digest.size() * 2);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0x0f];
  }
  return hex;
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
