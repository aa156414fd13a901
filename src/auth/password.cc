#include "parley/auth/password.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <array>
#include <vector>

namespace parley::auth {

core::Status CheckPasswordRules(std::string_view password) {
  if (password.size() < 10) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "a password needs at least 10 characters");
  }
  if (password.size() > 256) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "a password may have at most 256 characters");
  }
  return core::Ok();
}

core::Result<std::string> HashPassword(std::string_view password, PasswordCost cost) {
  PARLEY_TRY(CheckPasswordRules(password));
  std::array<unsigned char, 16> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return core::MakeError(core::ErrorCode::kInternal, "no randomness for a password salt");
  }
  constexpr std::size_t kHashLength = 32;
  std::vector<char> encoded(argon2_encodedlen(cost.passes, cost.memory_kib, cost.lanes, salt.size(),
                                              kHashLength, Argon2_id));
  const int rc = argon2id_hash_encoded(cost.passes, cost.memory_kib, cost.lanes, password.data(),
                                       password.size(), salt.data(), salt.size(), kHashLength,
                                       encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return core::MakeError(core::ErrorCode::kInternal,
                           std::string("argon2id: ") + argon2_error_message(rc));
  }
  return std::string(encoded.data());
}

bool VerifyPassword(std::string_view password, const std::string& encoded_hash) {
  if (encoded_hash.rfind("$argon2id$", 0) != 0) return false;
  return argon2id_verify(encoded_hash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace parley::auth
