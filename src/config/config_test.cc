#include "parley/config/config.h"

#include <gtest/gtest.h>

#include <fstream>

namespace parley::config {
namespace {

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

std::string ErrorOf(std::string_view toml, std::map<std::string, std::string> env = {}) {
  auto config = ParseConfig(toml, Env(std::move(env)));
  return config.ok() ? "ok" : config.error().message;
}

TEST(Config, ZeroConfigHasWorkingDefaults) {
  auto config = ParseConfig("", Env({}));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->server.host, "127.0.0.1");
  EXPECT_EQ(config->server.port, 8080);
  EXPECT_EQ(config->storage.data_dir, "parley-data");
  EXPECT_TRUE(config->workspaces.empty());
}

TEST(Config, ReadsTheFileAndTheEnvironmentWins) {
  auto config = ParseConfig(R"(
[server]
port = 9000
threads = 4
[storage]
data_dir = "/var/lib/parley"
[log]
format = "json"
)",
                            Env({{"PARLEY_SERVER_PORT", "9100"}, {"PARLEY_LOG_LEVEL", "debug"}}));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.port, 9100);
  EXPECT_EQ(config->server.threads, 4);
  EXPECT_EQ(config->storage.data_dir, "/var/lib/parley");
  EXPECT_EQ(config->log.format, "json");
  EXPECT_EQ(config->log.level, "debug");
}

TEST(Config, RefusesBadValuesWithTheExactKey) {
  EXPECT_EQ(ErrorOf("[server]\nprot = 80"), "server.prot: unknown key");
  EXPECT_EQ(ErrorOf("[sever]\nport = 80"), "sever: unknown section");
  EXPECT_EQ(ErrorOf("[server]\nport = \"80\""), "server.port: expected an integer");
  EXPECT_EQ(ErrorOf("[server]\nport = 70000"),
            "server.port: must be between 0 and 65535, got 70000");
  EXPECT_EQ(ErrorOf("", {{"PARLEY_SERVER_PORT", "eighty"}}),
            "server.port: expected an integer in PARLEY_SERVER_PORT, got 'eighty'");
  EXPECT_EQ(ErrorOf("[log]\nlevel = \"loud\""),
            "log.level: must be one of debug, info, warn, error; got 'loud'");
  EXPECT_EQ(ErrorOf("server = 5"), "server: expected a table");
  EXPECT_EQ(ErrorOf("[server\nport = 1"), ErrorOf("[server\nport = 1"));
  EXPECT_NE(ErrorOf("[server\nport = 1").find("line 1"), std::string::npos);
}

TEST(Config, WorkspacesAndChannelAccounts) {
  const char* toml = R"(
[[workspaces]]
slug = "acme-air"
name = "Acme Air"
time_zone = "Europe/London"
brand_handles = ["@AcmeAir", "@AcmeAirHelp"]

[[channel_accounts]]
workspace = "acme-air"
kind = "x"
platform_account_id = "123456"
api_base_url = "https://api.x.com"
credentials = { consumer_secret = "env:ACME_X_SECRET", access_token = "literal" }
)";
  auto config = ParseConfig(toml, Env({{"ACME_X_SECRET", "s3cret"}}));
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->channel_accounts.size(), 1u);
  EXPECT_EQ(config->channel_accounts[0].credentials.at("consumer_secret"), "s3cret");
  EXPECT_EQ(config->channel_accounts[0].credentials.at("access_token"), "literal");
  EXPECT_EQ(config->channel_accounts[0].name, "x:123456");
  EXPECT_EQ(config->workspaces[0].brand_handles.size(), 2u);

  EXPECT_EQ(ErrorOf(toml),
            "channel_accounts[0].credentials.consumer_secret: environment "
            "variable ACME_X_SECRET is not set");
  EXPECT_EQ(ErrorOf("[[channel_accounts]]\nworkspace = \"nope\"\nkind = \"x\"\n"
                    "platform_account_id = \"1\""),
            "channel_accounts[0].workspace: no workspace with slug 'nope'");
  EXPECT_EQ(ErrorOf("[[workspaces]]\nslug = \"Acme Air\""),
            "workspaces[0].slug: must be lower-case letters, digits and '-'");
  EXPECT_EQ(ErrorOf("[[workspaces]]\nslug = \"a\"\n[[workspaces]]\nslug = \"a\""),
            "workspaces[1].slug: 'a' is used twice");
}

TEST(Config, LoadsFromAFile) {
  const std::string path = ::testing::TempDir() + "/parley-config-test.toml";
  {
    std::ofstream out(path);
    out << "[server]\nport = 0\n";
  }
  auto config = LoadConfig(path, Env({}));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->server.port, 0);
  auto missing = LoadConfig("/nonexistent/parley.toml", Env({}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/parley.toml"), std::string::npos);
}

}  // namespace
}  // namespace parley::config
