// Canned responses: reply templates with {{variables}} (C4.4).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "parley/core/result.h"
#include "parley/domain/ids.h"

namespace parley::domain {

struct CannedResponse {
  CannedResponseId id;
  WorkspaceId workspace_id;
  std::string name;
  std::string shortcut;  // typed in the reply box: "/refund"
  std::string language;
  std::string text;  // "Hi {{customer.first_name}}, sorry about {{order}}. ^{{agent.initials}}"
  std::vector<std::string> tags;
  bool pre_approved = false;  // offered during a crisis without a further approval (C5.4)

  bool operator==(const CannedResponse&) const = default;
};

// The variable names used in `text`, each once, in order of first use.
// Fails with kInvalidArgument on an unclosed "{{" or an empty or malformed name.
core::Result<std::vector<std::string>> TemplateVariables(std::string_view text);

// Substitutes every {{name}} from `values`. Fails with kInvalidArgument naming every variable
// that has no value, so the agent sees all of them at once.
core::Result<std::string> RenderTemplate(std::string_view text,
                                         const std::map<std::string, std::string>& values);

}  // namespace parley::domain
