// Password hashing with Argon2id (RFC 9106), in the PHC string format so that the parameters
// travel with each hash and can be raised later without breaking stored ones.
#pragma once

#include <string>
#include <string_view>

#include "parley/core/result.h"

namespace parley::auth {

// OWASP's minimum for Argon2id: 19 MiB, two passes, one lane.
struct PasswordCost {
  std::uint32_t memory_kib = 19 * 1024;
  std::uint32_t passes = 2;
  std::uint32_t lanes = 1;
};

// kInvalidArgument when the password is too short (under 10 characters) or too long (over 256).
core::Status CheckPasswordRules(std::string_view password);

core::Result<std::string> HashPassword(std::string_view password, PasswordCost cost = {});

// False for a wrong password and for a hash that is not Argon2id.
bool VerifyPassword(std::string_view password, const std::string& encoded_hash);

}  // namespace parley::auth
