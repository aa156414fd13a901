#include "parley/auth/policy.h"

#include <algorithm>

namespace parley::auth {

using domain::Role;

namespace {

// The rank at which each permission starts; approver is a side role (read + approve + reply).
int Rank(Role role) {
  switch (role) {
    case Role::kAnalyst:
      return 0;
    case Role::kAgent:
    case Role::kApprover:
      return 1;
    case Role::kTeamLeader:
      return 2;
    case Role::kSupervisor:
      return 3;
    case Role::kAdmin:
      return 4;
  }
  return -1;
}

template <typename Id>
bool Within(const std::vector<Id>& allowed, Id id) {
  return !id.valid() || allowed.empty() ||
         std::find(allowed.begin(), allowed.end(), id) != allowed.end();
}

}  // namespace

bool RoleGrants(Role role, Permission permission) {
  const int rank = Rank(role);
  switch (permission) {
    case Permission::kAuthenticated:
    case Permission::kReadConversations:
    case Permission::kReadReports:
      return rank >= 0;
    case Permission::kReply:
      return rank >= 1;
    case Permission::kApprove:
      return role == Role::kApprover || rank >= 3;
    case Permission::kAssign:
      return rank >= 2;
    case Permission::kTakeOver:
    case Permission::kManageContent:
      return rank >= 3;
    case Permission::kManageOrganisation:
    case Permission::kManageChannels:
    case Permission::kManageUsers:
    case Permission::kManageDeadLetters:
      return rank >= 4;
  }
  return false;
}

core::Status Authorize(const domain::User& user, Permission permission, const Scope& scope) {
  if (user.disabled) {
    return core::MakeError(core::ErrorCode::kPermissionDenied, "this user is disabled");
  }
  if (!RoleGrants(user.role, permission)) {
    return core::MakeError(core::ErrorCode::kPermissionDenied,
                           "the " + std::string(domain::ToString(user.role)) +
                               " role does not allow " + std::string(domain::ToString(permission)));
  }
  if (!Within(user.workspace_ids, scope.workspace) ||
      !Within(user.channel_account_ids, scope.channel_account) ||
      !Within(user.team_ids, scope.team)) {
    return core::MakeError(core::ErrorCode::kPermissionDenied,
                           "outside what this user is restricted to");
  }
  return core::Ok();
}

std::vector<Permission> PermissionsOf(const domain::User& user) {
  std::vector<Permission> out;
  if (user.disabled) return out;
  for (const auto& [permission, name] : domain::EnumNames<Permission>::kNames) {
    if (RoleGrants(user.role, permission)) out.push_back(permission);
  }
  return out;
}

bool MaySeeWorkspace(const domain::User& user, domain::WorkspaceId workspace) {
  return !user.disabled && Within(user.workspace_ids, workspace);
}

}  // namespace parley::auth
