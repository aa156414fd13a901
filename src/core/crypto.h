// Hashes and message authentication for signatures (webhooks, the audit chain). Backed by OpenSSL.
#pragma once

#include <string>
#include <string_view>

namespace parley::core {

// Raw 32-byte digests.
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

std::string ToHex(std::string_view bytes);  // lower case
std::string Base64Encode(std::string_view bytes);

// Compares in time independent of where the inputs differ (for signatures).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// `bytes` random bytes from the operating system's generator, hex-encoded (secrets, tokens).
std::string RandomHex(int bytes);

}  // namespace parley::core
