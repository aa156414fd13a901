// What admins write to steer triage: keyword tables and rules (C2.1, C2.6). Compiled by the triage
// layer; here they are plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "parley/domain/channel.h"
#include "parley/domain/ids.h"

namespace parley::domain {

enum class PatternKind { kWord, kPhrase, kRegex };

template <>
struct EnumNames<PatternKind> {
  static constexpr std::array<std::pair<PatternKind, std::string_view>, 3> kNames{{
      {PatternKind::kWord, "word"},
      {PatternKind::kPhrase, "phrase"},
      {PatternKind::kRegex, "regex"},
  }};
};

struct KeywordEntry {
  std::string pattern;
  PatternKind kind = PatternKind::kWord;
  bool case_sensitive = false;
  std::vector<std::string> tags;
  std::string category;
  TeamId team_id;
  std::optional<int> priority;  // 0..100 contribution

  bool operator==(const KeywordEntry&) const = default;
};

struct KeywordTable {
  KeywordTableId id;
  WorkspaceId workspace_id;
  std::string name;
  std::string language;  // ISO 639-1; empty: any language
  std::vector<KeywordEntry> entries;
  std::int64_t version = 0;

  bool operator==(const KeywordTable&) const = default;
};

enum class ConditionOperator {
  kEquals,
  kNotEquals,
  kContains,
  kIn,
  kNotIn,
  kAtLeast,
  kAtMost,
  kBetween,
  kMatchesTable,     // the message hit an entry of the named keyword table
  kInBusinessHours,  // value "true"/"false"
};

template <>
struct EnumNames<ConditionOperator> {
  static constexpr std::array<std::pair<ConditionOperator, std::string_view>, 10> kNames{{
      {ConditionOperator::kEquals, "equals"},
      {ConditionOperator::kNotEquals, "not_equals"},
      {ConditionOperator::kContains, "contains"},
      {ConditionOperator::kIn, "in"},
      {ConditionOperator::kNotIn, "not_in"},
      {ConditionOperator::kAtLeast, "at_least"},
      {ConditionOperator::kAtMost, "at_most"},
      {ConditionOperator::kBetween, "between"},
      {ConditionOperator::kMatchesTable, "matches_table"},
      {ConditionOperator::kInBusinessHours, "in_business_hours"},
  }};
};

struct Condition {
  std::string field;  // "sentiment", "language", "channel", "author.followers", "tags", ...
  ConditionOperator op = ConditionOperator::kEquals;
  std::vector<std::string> values;

  bool operator==(const Condition&) const = default;
};

enum class ActionKind {
  kTag,
  kSetPriority,
  kAssignTeam,
  kAssignAgent,
  kAutoAcknowledge,  // reply with a canned response
  kEscalate,
  kAlert,
  kRequireApproval,
  kHide,
  kCloseAsNoise,
};

template <>
struct EnumNames<ActionKind> {
  static constexpr std::array<std::pair<ActionKind, std::string_view>, 10> kNames{{
      {ActionKind::kTag, "tag"},
      {ActionKind::kSetPriority, "set_priority"},
      {ActionKind::kAssignTeam, "assign_team"},
      {ActionKind::kAssignAgent, "assign_agent"},
      {ActionKind::kAutoAcknowledge, "auto_acknowledge"},
      {ActionKind::kEscalate, "escalate"},
      {ActionKind::kAlert, "alert"},
      {ActionKind::kRequireApproval, "require_approval"},
      {ActionKind::kHide, "hide"},
      {ActionKind::kCloseAsNoise, "close_as_noise"},
  }};
};

struct RuleAction {
  ActionKind kind = ActionKind::kTag;
  std::string argument;  // the tag, priority, team/agent id, canned response id, alert channel

  bool operator==(const RuleAction&) const = default;
};

// When every condition holds, the actions run in order. Rules run in ascending `order`.
struct Rule {
  RuleId id;
  WorkspaceId workspace_id;
  std::string name;
  int order = 0;
  bool enabled = true;
  std::vector<Condition> conditions;
  std::vector<RuleAction> actions;
  bool stop_processing = false;  // later rules are skipped when this one fires

  bool operator==(const Rule&) const = default;
};

}  // namespace parley::domain
