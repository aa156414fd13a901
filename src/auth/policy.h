// Who may do what (C5.1), decided here and nowhere else: every API route names the permission it
// needs (app/api_routes.cc), and every real-time event is filtered with the same calls.
//
//   role          what it adds
//   analyst       read conversations, customers and reports (read-only)
//   agent         + reply, note, tag, take and close what it may see
//   approver      + approve or reject replies waiting for approval
//   team_leader   + assign within its teams, see its teams' queues and agents
//   supervisor    + assign anywhere, take over, manage canned responses, rules and keyword tables
//   admin         + users, channel accounts, teams, SLA policies, dead letters, everything
//
// Scopes narrow every role: a user restricted to workspaces, channel accounts or teams sees and
// acts only within them.
#pragma once

#include <string_view>
#include <vector>

#include "parley/core/result.h"
#include "parley/domain/enum_names.h"
#include "parley/domain/user.h"

namespace parley::auth {

enum class Permission {
  kAuthenticated,       // any logged-in user: their own profile, tokens and sessions
  kReadConversations,   // conversations, messages, customers
  kReadReports,         // KPIs and the wallboard
  kReply,               // reply, note, tag, close
  kApprove,             // approve or reject a reply waiting for approval
  kAssign,              // assign and reassign (team leaders within their teams)
  kTakeOver,            // take over another agent's conversation
  kManageContent,       // canned responses, keyword tables, rules
  kManageOrganisation,  // teams, agents, skills, SLA policies, calendars
  kManageChannels,      // channel accounts and their secrets
  kManageUsers,         // users and roles
  kManageDeadLetters,   // list and replay what could not be processed
};

}  // namespace parley::auth

namespace parley::domain {
template <>
struct EnumNames<auth::Permission> {
  static constexpr std::array<std::pair<auth::Permission, std::string_view>, 12> kNames{{
      {auth::Permission::kAuthenticated, "authenticated"},
      {auth::Permission::kReadConversations, "read_conversations"},
      {auth::Permission::kReadReports, "read_reports"},
      {auth::Permission::kReply, "reply"},
      {auth::Permission::kApprove, "approve"},
      {auth::Permission::kAssign, "assign"},
      {auth::Permission::kTakeOver, "take_over"},
      {auth::Permission::kManageContent, "manage_content"},
      {auth::Permission::kManageOrganisation, "manage_organisation"},
      {auth::Permission::kManageChannels, "manage_channels"},
      {auth::Permission::kManageUsers, "manage_users"},
      {auth::Permission::kManageDeadLetters, "manage_dead_letters"},
  }};
};
}  // namespace parley::domain

namespace parley::auth {

// Whether the role grants the permission at all (before scopes).
bool RoleGrants(domain::Role role, Permission permission);

// The resource a request acts on, as far as scopes are concerned. Unset ids are not checked.
struct Scope {
  domain::WorkspaceId workspace;
  domain::ChannelAccountId channel_account;
  domain::TeamId team;
};

// The workspace of something that belongs to none a user can be restricted to (a payload whose
// channel account is unknown): outside every restriction, visible only to unrestricted users.
inline const domain::WorkspaceId kNoWorkspace{-1};

// kPermissionDenied, naming the permission, unless the user's role grants it and the scope is
// within the user's restrictions. Disabled users are refused everything.
core::Status Authorize(const domain::User& user, Permission permission, const Scope& scope = {});

// Everything the user's role grants (for the web app to show what the user can do).
std::vector<Permission> PermissionsOf(const domain::User& user);

// Whether the user may see anything of the workspace (for filtering lists and events).
bool MaySeeWorkspace(const domain::User& user, domain::WorkspaceId workspace);

}  // namespace parley::auth
