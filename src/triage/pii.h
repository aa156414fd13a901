// Personal data in a message: card numbers (Luhn-checked), IBANs (mod-97-checked), bank account
// numbers and sort codes, phone numbers and email addresses. Found so that public views can redact
// them and agents can move the conversation somewhere private (a bank may not ask for account
// details in public).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "parley/domain/enum_names.h"

namespace parley::triage {

enum class PiiType { kCard, kIban, kAccountNumber, kSortCode, kPhone, kEmail };

struct PiiSpan {
  PiiType type = PiiType::kCard;
  std::size_t begin = 0;  // byte offsets into the text, [begin, end)
  std::size_t end = 0;

  bool operator==(const PiiSpan&) const = default;
};

std::vector<PiiSpan> FindPii(std::string_view text);

// The text with every span replaced by "[type]", for public views.
std::string Redact(std::string_view text, const std::vector<PiiSpan>& spans);

bool LuhnValid(std::string_view digits);
bool IbanValid(std::string_view compact);  // letters and digits only, no spaces

}  // namespace parley::triage

namespace parley::domain {
template <>
struct EnumNames<triage::PiiType> {
  static constexpr std::array<std::pair<triage::PiiType, std::string_view>, 6> kNames{{
      {triage::PiiType::kCard, "card"},
      {triage::PiiType::kIban, "iban"},
      {triage::PiiType::kAccountNumber, "account_number"},
      {triage::PiiType::kSortCode, "sort_code"},
      {triage::PiiType::kPhone, "phone"},
      {triage::PiiType::kEmail, "email"},
  }};
};
}  // namespace parley::domain
