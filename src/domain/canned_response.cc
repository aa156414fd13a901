#include "parley/domain/canned_response.h"

#include <algorithm>
#include <cctype>

namespace parley::domain {
namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

// Calls on_text for literal runs and on_variable for each trimmed variable name.
template <typename OnText, typename OnVariable>
core::Status Scan(std::string_view text, OnText on_text, OnVariable on_variable) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      on_text(text.substr(pos));
      break;
    }
    on_text(text.substr(pos, open - pos));
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "unclosed '{{' at position " + std::to_string(open));
    }
    std::string_view name = text.substr(open + 2, close - open - 2);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsNameChar)) {
      return core::MakeError(
          core::ErrorCode::kInvalidArgument,
          "bad variable name '" + std::string(name) + "' at position " + std::to_string(open));
    }
    on_variable(name);
    pos = close + 2;
  }
  return core::Ok();
}

}  // namespace

core::Result<std::vector<std::string>> TemplateVariables(std::string_view text) {
  std::vector<std::string> names;
  PARLEY_TRY(Scan(
      text, [](std::string_view) {},
      [&](std::string_view name) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
      }));
  return names;
}

core::Result<std::string> RenderTemplate(std::string_view text,
                                         const std::map<std::string, std::string>& values) {
  std::string out;
  std::vector<std::string> missing;
  PARLEY_TRY(Scan(
      text, [&](std::string_view literal) { out += literal; },
      [&](std::string_view name) {
        auto it = values.find(std::string(name));
        if (it != values.end()) {
          out += it->second;
        } else if (std::find(missing.begin(), missing.end(), name) == missing.end()) {
          missing.emplace_back(name);
        }
      }));
  if (!missing.empty()) {
    std::string message = "no value for";
    for (std::size_t i = 0; i < missing.size(); ++i) {
      message += (i == 0 ? " " : ", ") + missing[i];
    }
    return core::MakeError(core::ErrorCode::kInvalidArgument, std::move(message));
  }
  return out;
}

}  // namespace parley::domain
