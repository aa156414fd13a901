// Agents, their skills and presence, teams, and the roles people hold.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "parley/domain/channel.h"
#include "parley/domain/ids.h"

namespace parley::domain {

enum class Role { kAdmin, kSupervisor, kTeamLeader, kAgent, kAnalyst, kApprover };

template <>
struct EnumNames<Role> {
  static constexpr std::array<std::pair<Role, std::string_view>, 6> kNames{{
      {Role::kAdmin, "admin"},
      {Role::kSupervisor, "supervisor"},
      {Role::kTeamLeader, "team_leader"},
      {Role::kAgent, "agent"},
      {Role::kAnalyst, "analyst"},
      {Role::kApprover, "approver"},
  }};
};

enum class Presence { kOnline, kAway, kOffline };

template <>
struct EnumNames<Presence> {
  static constexpr std::array<std::pair<Presence, std::string_view>, 3> kNames{{
      {Presence::kOnline, "online"},
      {Presence::kAway, "away"},
      {Presence::kOffline, "offline"},
  }};
};

enum class SkillKind { kLanguage, kChannel, kTopic };

template <>
struct EnumNames<SkillKind> {
  static constexpr std::array<std::pair<SkillKind, std::string_view>, 3> kNames{{
      {SkillKind::kLanguage, "language"},
      {SkillKind::kChannel, "channel"},
      {SkillKind::kTopic, "topic"},
  }};
};

struct Skill {
  SkillKind kind = SkillKind::kTopic;
  std::string value;    // "es", "whatsapp", "billing"
  int proficiency = 3;  // 1 (can cover) .. 5 (expert)

  bool operator==(const Skill&) const = default;
};

struct Agent {
  AgentId id;
  WorkspaceId workspace_id;
  std::string display_name;
  std::string initials;  // the public sign-off, as care teams do on X: "^JD"
  std::string email;
  Role role = Role::kAgent;
  std::vector<TeamId> team_ids;
  std::vector<Skill> skills;
  // The mention cap: the sum of the weights of open assigned conversations may not exceed it.
  int max_concurrent = 5;
  // Weight of one conversation on a channel (default 1): a live chat may count more than an email.
  std::map<ChannelKind, int> channel_weights;
  CalendarId schedule_id;  // working hours; none: always on shift
  Presence presence = Presence::kOffline;

  bool operator==(const Agent&) const = default;
};

// How a team's queue hands conversations to its agents (C3.2).
enum class Distribution { kLeastLoad, kRoundRobin };

template <>
struct EnumNames<Distribution> {
  static constexpr std::array<std::pair<Distribution, std::string_view>, 2> kNames{{
      {Distribution::kLeastLoad, "least_load"},
      {Distribution::kRoundRobin, "round_robin"},
  }};
};

struct Team {
  TeamId id;
  WorkspaceId workspace_id;
  std::string name;
  AgentId leader_id;
  std::vector<AgentId> member_ids;
  TeamId overflow_team_id;                 // none: no overflow
  std::optional<Duration> max_wait;        // queue wait before overflow
  std::optional<int> queue_cap;            // queue length before overflow
  std::optional<Duration> reassign_after;  // an assignee silent this long loses the conversation
  CalendarId calendar_id;                  // business hours for SLA clocks
  SlaPolicyId sla_policy_id;
  Distribution distribution = Distribution::kLeastLoad;
  // Stickiness: a customer goes back to the agent who last handled them within this window...
  std::optional<Duration> sticky_window = std::chrono::hours(24 * 7);
  // ...and waits this long in the queue for that agent when they are busy or away.
  Duration sticky_wait{0};

  bool operator==(const Team&) const = default;
};

}  // namespace parley::domain
