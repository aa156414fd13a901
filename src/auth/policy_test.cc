#include "parley/auth/policy.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace parley::auth {
namespace {

using domain::Role;
using P = Permission;

// The whole matrix, written out: every role against every permission.
TEST(PolicyTest, EachRoleGrantsExactlyItsPermissions) {
  const std::set<P> read = {P::kAuthenticated, P::kReadConversations, P::kReadReports};
  auto with = [](std::set<P> base, std::initializer_list<P> more) {
    base.insert(more);
    return base;
  };
  const std::set<P> agent = with(read, {P::kReply});
  const std::set<P> leader = with(agent, {P::kAssign});
  const std::set<P> supervisor = with(leader, {P::kApprove, P::kTakeOver, P::kManageContent});
  std::set<P> everything;
  for (const auto& [p, name] : domain::EnumNames<P>::kNames) everything.insert(p);
  const std::map<Role, std::set<P>> expected = {
      {Role::kAnalyst, read},
      {Role::kAgent, agent},
      {Role::kApprover, with(agent, {P::kApprove})},
      {Role::kTeamLeader, leader},
      {Role::kSupervisor, supervisor},
      {Role::kAdmin, everything},
  };
  for (const auto& [role, role_name] : domain::EnumNames<Role>::kNames) {
    for (const auto& [permission, name] : domain::EnumNames<P>::kNames) {
      EXPECT_EQ(RoleGrants(role, permission), expected.at(role).contains(permission))
          << role_name << " / " << name;
    }
  }
}

TEST(PolicyTest, RestrictionsNarrowEveryRole) {
  domain::User user;
  user.role = Role::kAdmin;
  user.workspace_ids = {domain::WorkspaceId(1)};
  user.team_ids = {domain::TeamId(7)};
  EXPECT_TRUE(Authorize(user, P::kManageUsers).ok());
  EXPECT_TRUE(Authorize(user, P::kReply, {domain::WorkspaceId(1), {}, domain::TeamId(7)}).ok());
  auto other = Authorize(user, P::kReply, {domain::WorkspaceId(2), {}, {}});
  EXPECT_EQ(other.error().code, core::ErrorCode::kPermissionDenied);
  EXPECT_FALSE(Authorize(user, P::kReply, {domain::WorkspaceId(1), {}, domain::TeamId(8)}).ok());
  EXPECT_TRUE(MaySeeWorkspace(user, domain::WorkspaceId(1)));
  EXPECT_FALSE(MaySeeWorkspace(user, domain::WorkspaceId(2)));

  domain::User analyst;
  analyst.role = Role::kAnalyst;
  auto refused = Authorize(analyst, P::kReply);
  EXPECT_EQ(refused.error().message, "the analyst role does not allow reply");
  analyst.disabled = true;
  EXPECT_FALSE(Authorize(analyst, P::kReadConversations).ok());
}

}  // namespace
}  // namespace parley::auth
