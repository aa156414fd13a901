#include "parley/triage/pii.h"

#include <algorithm>

#include "parley/triage/text.h"

namespace parley::triage {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsEmailLocal(char c) {
  return IsAsciiAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool IsDomain(char c) { return IsAsciiAlnum(c) || c == '.' || c == '-'; }

// A lowercase window of the text just before `at`, to read the words that introduce a number.
std::string Before(std::string_view text, std::size_t at, std::size_t width) {
  const std::size_t from = at > width ? at - width : 0;
  return AsciiLowerCopy(text.substr(from, at - from));
}

bool Mentions(const std::string& window, std::initializer_list<std::string_view> words) {
  return std::any_of(words.begin(), words.end(),
                     [&](std::string_view word) { return window.find(word) != std::string::npos; });
}

void FindEmails(std::string_view text, std::vector<PiiSpan>& out) {
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    std::size_t begin = at;
    while (begin > 0 && IsEmailLocal(text[begin - 1])) --begin;
    std::size_t end = at + 1;
    while (end < text.size() && IsDomain(text[end])) ++end;
    while (end > at + 1 && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
    if (begin == at || end == at + 1) continue;
    const std::string_view domain = text.substr(at + 1, end - at - 1);
    const std::size_t dot = domain.rfind('.');
    if (dot == std::string_view::npos || domain.size() - dot - 1 < 2) continue;
    if (!std::all_of(domain.begin() + static_cast<std::ptrdiff_t>(dot) + 1, domain.end(),
                     IsLetter)) {
      continue;
    }
    out.push_back({PiiType::kEmail, begin, end});
  }
}

// IBAN: a country code, two check digits, then 11 to 30 letters and digits, maybe in groups of
// four.
void FindIbans(std::string_view text, std::vector<PiiSpan>& out) {
  for (std::size_t i = 0; i + 15 <= text.size(); ++i) {
    if (i > 0 && IsAsciiAlnum(text[i - 1])) continue;
    if (!IsLetter(text[i]) || !IsLetter(text[i + 1]) || !IsDigit(text[i + 2]) ||
        !IsDigit(text[i + 3])) {
      continue;
    }
    std::string compact;
    std::size_t end = i;
    std::size_t last_good = i;
    while (end < text.size() && compact.size() < 34) {
      if (IsAsciiAlnum(text[end])) {
        compact += static_cast<char>(std::toupper(static_cast<unsigned char>(text[end])));
        ++end;
        if (compact.size() >= 15 && IbanValid(compact)) last_good = end;
      } else if (text[end] == ' ' && end + 1 < text.size() && IsAsciiAlnum(text[end + 1]) &&
                 compact.size() % 4 == 0) {
        ++end;
      } else {
        break;
      }
    }
    if (last_good > i && (last_good == text.size() || !IsAsciiAlnum(text[last_good]))) {
      out.push_back({PiiType::kIban, i, last_good});
      i = last_good;
    }
  }
}

// Runs of digits with single separators between groups: cards, phones, sort codes, accounts.
void FindNumbers(std::string_view text, const std::vector<PiiSpan>& taken,
                 std::vector<PiiSpan>& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    const bool plus = text[i] == '+' && i + 1 < text.size() && IsDigit(text[i + 1]);
    const bool paren = text[i] == '(' && i + 1 < text.size() && IsDigit(text[i + 1]);
    if (!IsDigit(text[i]) && !plus && !paren) {
      ++i;
      continue;
    }
    if (i > 0 && (IsLetter(text[i - 1]) || IsDigit(text[i - 1]) || text[i - 1] == '/' ||
                  text[i - 1] == '#' || text[i - 1] == '_')) {
      ++i;  // at least one byte: a '(' or '+' glued to a word is not alnum itself
      while (i < text.size() && IsAsciiAlnum(text[i])) ++i;
      continue;
    }
    const std::size_t begin = i;
    std::string digits;
    std::size_t end = plus || paren ? i + 1 : i;
    std::size_t separators = 0;
    std::size_t dashes = 0;
    while (end < text.size()) {
      const char c = text[end];
      if (IsDigit(c)) {
        digits += c;
        ++end;
      } else if ((c == ' ' || c == '-' || c == '.' || c == ')' || c == '(') &&
                 end + 1 < text.size() &&
                 (IsDigit(text[end + 1]) || (c == ')' && text[end + 1] == ' ' &&
                                             end + 2 < text.size() && IsDigit(text[end + 2])))) {
        ++separators;
        if (c == '-') ++dashes;
        end += (c == ')' && text[end + 1] == ' ') ? 2 : 1;
      } else {
        break;
      }
    }
    i = end;
    if (end < text.size() && (IsLetter(text[end]) || text[end] == '/' || text[end] == ':'))
      continue;
    if (std::any_of(taken.begin(), taken.end(),
                    [&](const PiiSpan& s) { return begin < s.end && s.begin < end; })) {
      continue;
    }
    const std::size_t n = digits.size();
    if (n < 6) continue;  // shorter than anything below: an order number, a year, a price
    const std::string context = Before(text, begin, 32);
    const bool order_like = Mentions(context, {"order", "ref", "ticket", "case", "tracking",
                                               "booking", "pedido", "commande", "bestellung"});
    if (n == 6 && ((dashes == 2 && separators == 2) ||
                   Mentions(context, {"sort code", "sortcode", "sort-code"}))) {
      out.push_back({PiiType::kSortCode, begin, end});
    } else if (n >= 13 && n <= 19 && LuhnValid(digits)) {
      out.push_back({PiiType::kCard, begin, end});
    } else if (n >= 9 && n <= 15 && (plus || paren)) {
      out.push_back({PiiType::kPhone, begin, end});
    } else if (n >= 6 && n <= 12 && !order_like &&
               Mentions(Before(text, begin, 20),
                        {"account", "acct", "a/c", "acc no", "acc.", "konto", "cuenta", "compte",
                         "conta", "conto", "rekening"})) {
      out.push_back({PiiType::kAccountNumber, begin, end});
    } else if (n >= 9 && n <= 15 && !order_like &&
               (text[begin] == '0' || separators >= 1 ||
                Mentions(context, {"call", "phone", "tel", "mobile", "number", "whatsapp", "ring",
                                   "móvil", "telefon", "portable", "cell"}))) {
      out.push_back({PiiType::kPhone, begin, end});
    }
  }
}

}  // namespace

bool LuhnValid(std::string_view digits) {
  int sum = 0;
  bool doubled = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (!IsDigit(*it)) return false;
    int d = *it - '0';
    if (doubled) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    doubled = !doubled;
  }
  return !digits.empty() && sum % 10 == 0;
}

bool IbanValid(std::string_view compact) {
  if (compact.size() < 15 || compact.size() > 34) return false;
  // Move the first four characters to the end, letters become 10..35, and the number mod 97 is 1.
  int remainder = 0;
  const auto feed = [&](char c) {
    if (IsDigit(c)) {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    } else {
      remainder = -1000000;
    }
  };
  for (std::size_t k = 4; k < compact.size(); ++k) feed(compact[k]);
  for (std::size_t k = 0; k < 4; ++k) feed(compact[k]);
  return remainder == 1;
}

std::vector<PiiSpan> FindPii(std::string_view text) {
  std::vector<PiiSpan> spans;
  // Quick exit for the common case: no digits and no '@'.
  if (std::none_of(text.begin(), text.end(), [](char c) { return IsDigit(c) || c == '@'; })) {
    return spans;
  }
  FindEmails(text, spans);
  FindIbans(text, spans);
  FindNumbers(text, std::vector<PiiSpan>(spans), spans);
  std::sort(spans.begin(), spans.end(),
            [](const PiiSpan& a, const PiiSpan& b) { return a.begin < b.begin; });
  return spans;
}

std::string Redact(std::string_view text, const std::vector<PiiSpan>& spans) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  for (const PiiSpan& span : spans) {
    if (span.begin < at || span.end > text.size()) continue;
    out.append(text.substr(at, span.begin - at));
    out += '[';
    out += domain::ToString(span.type);
    out += ']';
    at = span.end;
  }
  out.append(text.substr(at));
  return out;
}

}  // namespace parley::triage
