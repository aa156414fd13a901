// The people who log in (C5.1, C5.6): users with a role and restrictions, their browser sessions
// and their API tokens. A user is global; what they see is narrowed by the workspaces, channel
// accounts and teams they are restricted to. (An Agent is a user's routing profile within one
// workspace; see people.h.)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "parley/domain/ids.h"
#include "parley/domain/people.h"

namespace parley::domain {

struct User {
  UserId id;
  std::string email;  // lower case; unique; the login name
  std::string display_name;
  Role role = Role::kAgent;
  // Restrictions; empty means no restriction of that kind.
  std::vector<WorkspaceId> workspace_ids;
  std::vector<ChannelAccountId> channel_account_ids;
  std::vector<TeamId> team_ids;  // agents and team leaders see their teams' work

  std::string password_hash;  // Argon2id, PHC string format; never leaves the server
  bool disabled = false;
  std::int64_t session_generation = 0;  // "log out everywhere" moves it on
  Timestamp created_at;

  bool operator==(const User&) const = default;
};

// A browser session. Its id and hash come from the cookie's random token, which is never stored.
struct Session {
  SessionId id;
  UserId user_id;
  std::string token_hash;       // hex SHA-256 of the cookie's token
  std::string csrf_token;       // sent back in X-CSRF-Token on every change
  std::int64_t generation = 0;  // the user's session_generation when it was opened
  Timestamp created_at;
  Timestamp expires_at;
  Timestamp last_seen_at;

  bool operator==(const Session&) const = default;
};

// A token for integrations: shown once, stored hashed, acts as its user.
struct ApiToken {
  ApiTokenId id;
  UserId user_id;
  std::string name;
  std::string prefix;      // the first characters, to recognise it in a list
  std::string token_hash;  // hex SHA-256 of the token
  Timestamp created_at;
  std::optional<Timestamp> last_used_at;
  std::optional<Timestamp> revoked_at;

  bool operator==(const ApiToken&) const = default;
};

}  // namespace parley::domain
