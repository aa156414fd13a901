// Customer satisfaction surveys (C7.5), tied to the conversation, agent and team.
#pragma once

#include <string>

#include "parley/domain/enum_names.h"
#include "parley/domain/ids.h"

namespace parley::domain {

enum class SurveyKind { kCsat, kNps };  // CSAT 1..5, NPS 0..10

template <>
struct EnumNames<SurveyKind> {
  static constexpr std::array<std::pair<SurveyKind, std::string_view>, 2> kNames{{
      {SurveyKind::kCsat, "csat"},
      {SurveyKind::kNps, "nps"},
  }};
};

struct SurveyResponse {
  SurveyResponseId id;
  WorkspaceId workspace_id;
  ConversationId conversation_id;
  CustomerId customer_id;
  AgentId agent_id;
  TeamId team_id;
  SurveyKind kind = SurveyKind::kCsat;
  int score = 0;
  std::string comment;
  Timestamp responded_at;

  bool operator==(const SurveyResponse&) const = default;
};

// Whether `score` is within the scale of `kind`.
constexpr bool IsValidScore(SurveyKind kind, int score) {
  return kind == SurveyKind::kCsat ? (score >= 1 && score <= 5) : (score >= 0 && score <= 10);
}

}  // namespace parley::domain
