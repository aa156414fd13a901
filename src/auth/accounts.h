// Users, sessions and API tokens (C5.6) over the store: logging in with lock-out and a per-address
// rate limit, authenticating a session cookie or a bearer token, logging out (here or
// everywhere), and issuing tokens that are shown once and stored hashed.
//
// Secrets never stored: a session's cookie token and an API token are 256 random bits; the store
// keeps their SHA-256, and the record's id is derived from that hash, so a lookup is one primary
// key read followed by a constant-time comparison.
//
// Thread-safety: thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "parley/core/clock.h"
#include "parley/core/id.h"
#include "parley/domain/user.h"
#include "parley/storage/store.h"

namespace parley::auth {

struct AccountsOptions {
  core::Duration session_idle = std::chrono::hours(12);    // unused this long: expired
  core::Duration session_lifetime = std::chrono::days(7);  // at most this long in any case
  // Failed logins for one email from one address (IPv6: its /64) before that pair is locked
  // out. Counted the same whether or not the email exists, and per address so that nobody can
  // lock a colleague out from elsewhere.
  int max_failed_logins = 5;
  core::Duration lockout = std::chrono::minutes(15);
  int logins_per_minute_per_address = 20;
};

// Who is making a request, and how they proved it.
struct Principal {
  domain::User user;
  std::optional<domain::Session> session;  // a browser, by cookie
  std::optional<domain::ApiToken> token;   // an integration, by bearer token
};

struct LoginResult {
  domain::User user;
  domain::Session session;
  std::string cookie_token;  // for the Set-Cookie header; not stored
};

struct NewToken {
  domain::ApiToken token;
  std::string secret;  // shown once
};

class Accounts {
 public:
  Accounts(storage::Store& store, const core::Clock& clock, core::IdGenerator& ids,
           AccountsOptions options = {});

  // kInvalidArgument for a malformed email or a weak password; kAlreadyExists for a taken email.
  core::Result<domain::User> CreateUser(std::string email, std::string display_name,
                                        domain::Role role, std::string_view password,
                                        std::vector<domain::WorkspaceId> workspace_ids = {});
  core::Result<std::optional<domain::User>> FindUserByEmail(std::string_view email);
  // Applies `change` to the stored user under the accounts' lock and stores the result.
  // kNotFound for an unknown id; whatever `change` returns otherwise.
  core::Result<domain::User> UpdateUser(domain::UserId id,
                                        const std::function<core::Status(domain::User&)>& change);
  core::Result<std::int64_t> CountUsers();

  // kUnauthenticated for a wrong email or password (the same answer for both, after the same
  // work); kResourceExhausted while this email is locked out for this address, or the address
  // has tried too often.
  core::Result<LoginResult> Login(std::string_view email, std::string_view password,
                                  const std::string& address);
  // kUnauthenticated unless the token names a live session of an enabled user.
  core::Result<Principal> AuthenticateSession(std::string_view cookie_token);
  core::Result<Principal> AuthenticateToken(std::string_view bearer_token);

  core::Status Logout(const domain::Session& session);
  // Ends every session of the user (API tokens stay: revoke them one by one).
  core::Status LogoutEverywhere(domain::UserId user);

  core::Result<NewToken> CreateToken(domain::UserId user, std::string name);
  core::Result<std::vector<domain::ApiToken>> ListTokens(domain::UserId user);
  // kNotFound unless the token exists and belongs to `owner`.
  core::Status RevokeToken(domain::UserId owner, domain::ApiTokenId token);

 private:
  core::Result<std::optional<domain::User>> LoadUser(domain::UserId id);
  // REQUIRES: mutex_ held.
  bool AllowAttempt(const std::string& address_group);

  struct Failures {
    int count = 0;
    core::Timestamp last;
    core::Timestamp locked_until;
  };

  storage::Store& store_;
  const core::Clock& clock_;
  core::IdGenerator& ids_;
  const AccountsOptions options_;
  std::string dummy_hash_;  // verified against when the email is unknown: the same work

  // Serialises read-modify-write of users, sessions and tokens (never held during Argon2).
  std::mutex mutex_;
  // Login attempts per address group in the current minute.
  std::map<std::string, std::pair<std::int64_t, int>> attempts_;  // GUARDED_BY(mutex_)
  // Failed logins by "email|address group".
  std::map<std::string, Failures> failures_;  // GUARDED_BY(mutex_)
};

// The address a rate limit counts: IPv4 as it is, IPv6 by its /64 (what one host controls).
std::string AddressGroup(const std::string& address);

// The email as stored: trimmed and lower case. kInvalidArgument unless it looks like one.
core::Result<std::string> NormaliseEmail(std::string_view email);

}  // namespace parley::auth
