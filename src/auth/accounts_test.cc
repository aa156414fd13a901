#include "parley/auth/accounts.h"

#include <gtest/gtest.h>

#include "parley/auth/password.h"
#include "parley/storage/memory_store.h"

namespace parley::auth {
namespace {

using domain::Role;

class AccountsTest : public ::testing::Test {
 protected:
  core::ManualClock clock_{core::FromMillis(1'800'000'000'000)};
  core::IdGenerator ids_{clock_, 0};
  storage::MemoryStore store_;
  Accounts accounts_{store_, clock_, ids_};
  const std::string password_ = "correct horse battery";
};

TEST(PasswordTest, HashesWithArgon2idAndVerifies) {
  auto hash = HashPassword("correct horse battery");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse batterY", *hash));
  EXPECT_NE(*hash, HashPassword("correct horse battery").value());  // salted
  EXPECT_FALSE(VerifyPassword("x", "$2b$10$notargon"));
  EXPECT_EQ(HashPassword("short").error().code, core::ErrorCode::kInvalidArgument);
}

TEST_F(AccountsTest, CreatesUsersWithUniqueNormalisedEmails) {
  auto ada = accounts_.CreateUser(" Ada@Example.COM ", "Ada", Role::kAdmin, password_);
  ASSERT_TRUE(ada.ok()) << ada.error().ToString();
  EXPECT_EQ(ada->email, "ada@example.com");
  EXPECT_NE(ada->password_hash.find("$argon2id$"), std::string::npos);
  EXPECT_EQ(accounts_.CreateUser("ada@example.com", "", Role::kAgent, password_).error().code,
            core::ErrorCode::kAlreadyExists);
  EXPECT_EQ(accounts_.CreateUser("not-an-email", "", Role::kAgent, password_).error().code,
            core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(accounts_.CreateUser("bo@example.com", "", Role::kAgent, "short").error().code,
            core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(accounts_.CountUsers().value(), 1);
}

TEST_F(AccountsTest, ALoginOpensASessionThatAuthenticates) {
  ASSERT_TRUE(accounts_.CreateUser("ada@example.com", "Ada", Role::kAgent, password_).ok());
  auto login = accounts_.Login("ADA@example.com", password_, "127.0.0.1");
  ASSERT_TRUE(login.ok()) << login.error().ToString();
  EXPECT_EQ(login->cookie_token.size(), 64u);
  EXPECT_NE(login->session.token_hash, login->cookie_token);  // only the hash is stored
  auto principal = accounts_.AuthenticateSession(login->cookie_token);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->user.email, "ada@example.com");
  ASSERT_TRUE(principal->session.has_value());
  EXPECT_EQ(principal->session->csrf_token, login->session.csrf_token);

  std::string forged = login->cookie_token;
  forged[0] = forged[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(accounts_.AuthenticateSession(forged).error().code, core::ErrorCode::kUnauthenticated);
  EXPECT_EQ(accounts_.AuthenticateSession("short").error().code, core::ErrorCode::kUnauthenticated);

  ASSERT_TRUE(accounts_.Logout(*principal->session).ok());
  EXPECT_FALSE(accounts_.AuthenticateSession(login->cookie_token).ok());
}

TEST_F(AccountsTest, WrongPasswordsAndUnknownEmailsGetTheSameAnswerThenALockOut) {
  ASSERT_TRUE(accounts_.CreateUser("ada@example.com", "Ada", Role::kAgent, password_).ok());
  auto unknown = accounts_.Login("nobody@example.com", password_, "10.0.0.1");
  auto wrong = accounts_.Login("ada@example.com", "wrong password!", "10.0.0.1");
  EXPECT_EQ(unknown.error().code, core::ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  for (int i = 0; i < 4; ++i) {
    (void)accounts_.Login("ADA@example.com", "wrong password!", "10.0.0.1");
    (void)accounts_.Login("nobody@example.com", "wrong password!", "10.0.0.1");
  }
  // Five failures from one address: that email is locked there, even with the right password,
  // and an unknown email is locked the same way (nothing tells them apart)...
  auto locked = accounts_.Login("ada@example.com", password_, "10.0.0.1");
  EXPECT_EQ(locked.error().code, core::ErrorCode::kResourceExhausted);
  EXPECT_EQ(accounts_.Login("nobody@example.com", password_, "10.0.0.1").error().message,
            locked.error().message);
  // ...but not for the user at their own desk.
  EXPECT_TRUE(accounts_.Login("ada@example.com", password_, "10.0.0.2").ok());
  clock_.Advance(std::chrono::minutes(15));
  EXPECT_TRUE(accounts_.Login("ada@example.com", password_, "10.0.0.1").ok());
}

TEST(AddressGroupTest, CountsIpv6ByItsSlash64) {
  EXPECT_EQ(AddressGroup("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(AddressGroup("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(AddressGroup("2001:db8:1:2:bbbb::9"), AddressGroup("2001:db8:1:2:aaaa::1"));
}

TEST_F(AccountsTest, OneAddressCannotTryForever) {
  AccountsOptions options;
  options.logins_per_minute_per_address = 3;
  Accounts strict(store_, clock_, ids_, options);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(strict.Login("x@example.com", password_, "10.0.0.9").error().code,
              core::ErrorCode::kUnauthenticated);
  }
  EXPECT_EQ(strict.Login("x@example.com", password_, "10.0.0.9").error().code,
            core::ErrorCode::kResourceExhausted);
  EXPECT_EQ(strict.Login("x@example.com", password_, "10.0.0.10").error().code,
            core::ErrorCode::kUnauthenticated);  // another address is another budget
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_EQ(strict.Login("x@example.com", password_, "10.0.0.9").error().code,
            core::ErrorCode::kUnauthenticated);
}

TEST_F(AccountsTest, SessionsExpireAndLogOutEverywhere) {
  auto ada = accounts_.CreateUser("ada@example.com", "Ada", Role::kAgent, password_).value();
  auto first = accounts_.Login("ada@example.com", password_, "a").value();
  clock_.Advance(std::chrono::hours(11));
  EXPECT_TRUE(accounts_.AuthenticateSession(first.cookie_token).ok());  // slides the idle clock
  clock_.Advance(std::chrono::hours(11));
  EXPECT_TRUE(accounts_.AuthenticateSession(first.cookie_token).ok());
  clock_.Advance(std::chrono::hours(13));
  EXPECT_FALSE(accounts_.AuthenticateSession(first.cookie_token).ok());  // idle too long

  auto a = accounts_.Login("ada@example.com", password_, "a").value();
  auto b = accounts_.Login("ada@example.com", password_, "b").value();
  ASSERT_TRUE(accounts_.LogoutEverywhere(ada.id).ok());
  EXPECT_FALSE(accounts_.AuthenticateSession(a.cookie_token).ok());
  EXPECT_FALSE(accounts_.AuthenticateSession(b.cookie_token).ok());
  EXPECT_TRUE(accounts_.Login("ada@example.com", password_, "a").ok());
}

TEST_F(AccountsTest, ApiTokensAreShownOnceStoredHashedAndRevocable) {
  auto ada = accounts_.CreateUser("ada@example.com", "Ada", Role::kAdmin, password_).value();
  auto bo = accounts_.CreateUser("bo@example.com", "Bo", Role::kAgent, password_).value();
  auto token = accounts_.CreateToken(ada.id, "crm sync");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->secret.rfind("pk_", 0), 0u);
  EXPECT_EQ(token->token.prefix, token->secret.substr(0, 9));
  auto stored = storage::Get<domain::ApiToken>(store_, token->token.id).value().value();
  EXPECT_EQ(stored.token_hash.find(token->secret.substr(3)), std::string::npos);

  auto principal = accounts_.AuthenticateToken(token->secret);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->user.id, ada.id);
  EXPECT_TRUE(principal->token.has_value());
  EXPECT_EQ(accounts_.ListTokens(ada.id).value().size(), 1u);
  EXPECT_TRUE(accounts_.ListTokens(bo.id).value().empty());

  EXPECT_EQ(accounts_.RevokeToken(bo.id, token->token.id).error().code, core::ErrorCode::kNotFound);
  ASSERT_TRUE(accounts_.RevokeToken(ada.id, token->token.id).ok());
  EXPECT_EQ(accounts_.AuthenticateToken(token->secret).error().code,
            core::ErrorCode::kUnauthenticated);
  EXPECT_FALSE(accounts_.AuthenticateToken("pk_nonsense").ok());
  EXPECT_EQ(accounts_.CreateToken(ada.id, "").error().code, core::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace parley::auth
