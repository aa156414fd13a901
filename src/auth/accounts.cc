#include "parley/auth/accounts.h"

#include <algorithm>
#include <cctype>

#include "parley/auth/password.h"
#include "parley/core/crypto.h"

namespace parley::auth {

using domain::User;

namespace {

const core::Error kWrongCredentials{core::ErrorCode::kUnauthenticated, "wrong email or password"};

std::string HashOf(std::string_view secret) { return core::ToHex(core::Sha256(secret)); }

// The record id that a secret's hash names: its first 60 bits (never zero in practice; a zero
// would only make the secret unusable, never another's).
std::int64_t IdFromHash(const std::string& hex_hash) {
  return static_cast<std::int64_t>(std::stoull(hex_hash.substr(0, 15), nullptr, 16));
}

}  // namespace

core::Result<std::string> NormaliseEmail(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) {
    email.remove_prefix(1);
  }
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) {
    email.remove_suffix(1);
  }
  std::string out(email);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto at = out.find('@');
  if (out.size() > 254 || at == std::string::npos || at == 0 || at + 1 >= out.size() ||
      out.find('@', at + 1) != std::string::npos ||
      out.find_first_of(" \t\r\n<>\"") != std::string::npos) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "'" + std::string(email) + "' is not an email address");
  }
  return out;
}

std::string AddressGroup(const std::string& address) {
  if (address.find(':') == std::string::npos) return address;
  // The first four groups of an IPv6 address.
  std::string group;
  int colons = 0;
  for (char c : address) {
    if (c == ':' && ++colons == 4) break;
    group.push_back(c);
  }
  return group + "::/64";
}

Accounts::Accounts(storage::Store& store, const core::Clock& clock, core::IdGenerator& ids,
                   AccountsOptions options)
    : store_(store), clock_(clock), ids_(ids), options_(options), dummy_hash_([] {
        auto hash = HashPassword(core::RandomHex(16));
        return hash.ok() ? *hash : std::string();
      }()) {}

core::Result<std::optional<User>> Accounts::LoadUser(domain::UserId id) {
  return storage::Get<User>(store_, id);
}

core::Result<std::optional<User>> Accounts::FindUserByEmail(std::string_view email) {
  auto normalised = NormaliseEmail(email);
  if (!normalised.ok()) return std::optional<User>();
  // Users are few (a care team); a scan keeps the store's interface small.
  auto users = storage::ListAll<User>(store_, domain::WorkspaceId());
  PARLEY_TRY(users);
  for (auto& user : *users) {
    if (user.email == *normalised) return std::optional<User>(std::move(user));
  }
  return std::optional<User>();
}

core::Result<User> Accounts::UpdateUser(domain::UserId id,
                                        const std::function<core::Status(User&)>& change) {
  std::lock_guard lock(mutex_);
  auto user = LoadUser(id);
  PARLEY_TRY(user);
  if (!user->has_value()) return core::MakeError(core::ErrorCode::kNotFound, "no such user");
  User changed = std::move(**user);
  PARLEY_TRY(change(changed));
  PARLEY_TRY(store_.Apply(storage::WriteBatch().Put(changed)));
  return changed;
}

core::Result<std::int64_t> Accounts::CountUsers() {
  return store_.CountDocuments(storage::EntityKind::kUser, domain::WorkspaceId());
}

core::Result<User> Accounts::CreateUser(std::string email, std::string display_name,
                                        domain::Role role, std::string_view password,
                                        std::vector<domain::WorkspaceId> workspace_ids) {
  auto normalised = NormaliseEmail(email);
  PARLEY_TRY(normalised);
  auto hash = HashPassword(password);
  PARLEY_TRY(hash);
  std::lock_guard lock(mutex_);
  auto existing = FindUserByEmail(*normalised);
  PARLEY_TRY(existing);
  if (existing->has_value()) {
    return core::MakeError(core::ErrorCode::kAlreadyExists,
                           "a user with the email " + *normalised + " exists");
  }
  User user;
  user.id = ids_.NextId<domain::UserId>();
  user.email = *normalised;
  user.display_name = display_name.empty() ? *normalised : std::move(display_name);
  user.role = role;
  user.workspace_ids = std::move(workspace_ids);
  user.password_hash = std::move(hash).value();
  user.created_at = clock_.Now();
  PARLEY_TRY(store_.Apply(storage::WriteBatch().Put(user)));
  return user;
}

bool Accounts::AllowAttempt(const std::string& address_group) {
  const std::int64_t minute = core::ToMillis(clock_.Now()) / 60'000;
  if (attempts_.size() > 10'000) {
    std::erase_if(attempts_, [minute](const auto& entry) { return entry.second.first != minute; });
  }
  auto& [at, count] = attempts_[address_group];
  if (at != minute) {
    at = minute;
    count = 0;
  }
  return ++count <= options_.logins_per_minute_per_address;
}

core::Result<LoginResult> Accounts::Login(std::string_view email, std::string_view password,
                                          const std::string& address) {
  const std::string group = AddressGroup(address);
  auto normalised = NormaliseEmail(email);
  const std::string pair = (normalised.ok() ? *normalised : std::string(email)) + "|" + group;
  const auto now = clock_.Now();
  bool locked = false;
  {
    std::lock_guard lock(mutex_);
    if (!AllowAttempt(group)) {
      return core::MakeError(core::ErrorCode::kResourceExhausted,
                             "too many login attempts from this address; wait a minute");
    }
    auto failures = failures_.find(pair);
    locked = failures != failures_.end() && failures->second.locked_until > now;
  }
  // The same work whatever the case: a known user, an unknown email, a locked pair.
  auto found = FindUserByEmail(email);
  PARLEY_TRY(found);
  const bool verified =
      VerifyPassword(password, found->has_value() ? (*found)->password_hash : dummy_hash_);
  if (locked) {
    return core::MakeError(
        core::ErrorCode::kResourceExhausted,
        "too many failed logins for this email from this address; try again in " +
            std::to_string(
                std::chrono::duration_cast<std::chrono::minutes>(options_.lockout).count()) +
            " minutes");
  }
  if (!verified || !found->has_value() || (*found)->disabled) {
    std::lock_guard lock(mutex_);
    if (failures_.size() > 10'000) {
      std::erase_if(failures_, [&](const auto& entry) {
        return entry.second.last + options_.lockout < now && entry.second.locked_until < now;
      });
    }
    auto& failures = failures_[pair];
    failures.last = now;
    if (++failures.count >= options_.max_failed_logins) {
      failures.count = 0;
      failures.locked_until = now + options_.lockout;
    }
    return kWrongCredentials;
  }
  User user = std::move(**found);

  LoginResult result;
  result.cookie_token = core::RandomHex(32);
  domain::Session& session = result.session;
  session.token_hash = HashOf(result.cookie_token);
  session.id = domain::SessionId(IdFromHash(session.token_hash));
  session.user_id = user.id;
  session.csrf_token = core::RandomHex(32);
  session.generation = user.session_generation;
  session.created_at = now;
  session.last_seen_at = now;
  session.expires_at = now + options_.session_lifetime;
  {
    std::lock_guard lock(mutex_);
    failures_.erase(pair);
    PARLEY_TRY(store_.Apply(storage::WriteBatch().Put(session)));
  }
  result.user = std::move(user);
  return result;
}

core::Result<Principal> Accounts::AuthenticateSession(std::string_view cookie_token) {
  const core::Error refused{core::ErrorCode::kUnauthenticated,
                            "not logged in, or the session has expired"};
  if (cookie_token.size() != 64) return refused;
  const std::string hash = HashOf(cookie_token);
  auto session = storage::Get<domain::Session>(store_, domain::SessionId(IdFromHash(hash)));
  PARLEY_TRY(session);
  if (!session->has_value() || !core::ConstantTimeEquals((*session)->token_hash, hash)) {
    return refused;
  }
  const auto now = clock_.Now();
  if ((*session)->expires_at <= now || (*session)->last_seen_at + options_.session_idle <= now) {
    return refused;
  }
  auto user = LoadUser((*session)->user_id);
  PARLEY_TRY(user);
  if (!user->has_value() || (*user)->disabled ||
      (*user)->session_generation != (*session)->generation) {
    return refused;
  }
  // Sliding idle expiry, written at most once a minute per session: re-read under the lock, so
  // that a logout in between is not undone.
  if (now - (*session)->last_seen_at > std::chrono::minutes(1)) {
    std::lock_guard lock(mutex_);
    auto current = storage::Get<domain::Session>(store_, (*session)->id);
    PARLEY_TRY(current);
    if (!current->has_value()) return refused;
    (*current)->last_seen_at = now;
    PARLEY_TRY(store_.Apply(storage::WriteBatch().Put(**current)));
  }
  return Principal{std::move(**user), std::move(*session), std::nullopt};
}

core::Result<Principal> Accounts::AuthenticateToken(std::string_view bearer_token) {
  const core::Error refused{core::ErrorCode::kUnauthenticated, "unknown or revoked API token"};
  if (!bearer_token.starts_with("pk_") || bearer_token.size() != 67) return refused;
  const std::string hash = HashOf(bearer_token);
  auto token = storage::Get<domain::ApiToken>(store_, domain::ApiTokenId(IdFromHash(hash)));
  PARLEY_TRY(token);
  if (!token->has_value() || !core::ConstantTimeEquals((*token)->token_hash, hash) ||
      (*token)->revoked_at) {
    return refused;
  }
  auto user = LoadUser((*token)->user_id);
  PARLEY_TRY(user);
  if (!user->has_value() || (*user)->disabled) return refused;
  const auto now = clock_.Now();
  if (!(*token)->last_used_at || now - *(*token)->last_used_at > std::chrono::minutes(1)) {
    // Re-read under the lock, so that a revocation in between is not undone.
    std::lock_guard lock(mutex_);
    auto current = storage::Get<domain::ApiToken>(store_, (*token)->id);
    PARLEY_TRY(current);
    if (!current->has_value() || (*current)->revoked_at) return refused;
    (*current)->last_used_at = now;
    PARLEY_TRY(store_.Apply(storage::WriteBatch().Put(**current)));
  }
  return Principal{std::move(**user), std::nullopt, std::move(*token)};
}

core::Status Accounts::Logout(const domain::Session& session) {
  std::lock_guard lock(mutex_);
  return store_.Apply(
      storage::WriteBatch().Delete(storage::EntityKind::kSession, session.id.value()));
}

core::Status Accounts::LogoutEverywhere(domain::UserId id) {
  std::lock_guard lock(mutex_);
  auto user = LoadUser(id);
  PARLEY_TRY(user);
  if (!user->has_value()) return core::MakeError(core::ErrorCode::kNotFound, "no such user");
  ++(*user)->session_generation;  // every session opened before is refused from now on
  return store_.Apply(storage::WriteBatch().Put(**user));
}

core::Result<NewToken> Accounts::CreateToken(domain::UserId user, std::string name) {
  if (name.empty() || name.size() > 100) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "a token needs a name of 1 to 100 characters");
  }
  NewToken out;
  out.secret = "pk_" + core::RandomHex(32);
  out.token.token_hash = HashOf(out.secret);
  out.token.id = domain::ApiTokenId(IdFromHash(out.token.token_hash));
  out.token.user_id = user;
  out.token.name = std::move(name);
  out.token.prefix = out.secret.substr(0, 9);
  out.token.created_at = clock_.Now();
  PARLEY_TRY(store_.Apply(storage::WriteBatch().Put(out.token)));
  return out;
}

core::Result<std::vector<domain::ApiToken>> Accounts::ListTokens(domain::UserId user) {
  auto all = storage::ListAll<domain::ApiToken>(store_, domain::WorkspaceId());
  PARLEY_TRY(all);
  std::erase_if(*all, [user](const auto& token) { return token.user_id != user; });
  return all;
}

core::Status Accounts::RevokeToken(domain::UserId owner, domain::ApiTokenId id) {
  std::lock_guard lock(mutex_);
  auto token = storage::Get<domain::ApiToken>(store_, id);
  PARLEY_TRY(token);
  if (!token->has_value() || (*token)->user_id != owner) {
    return core::MakeError(core::ErrorCode::kNotFound, "no such token");
  }
  if (!(*token)->revoked_at) (*token)->revoked_at = clock_.Now();
  return store_.Apply(storage::WriteBatch().Put(**token));
}

}  // namespace parley::auth
