// `parley user create`: makes a user (the first admin, typically) before or while the server runs.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "parley/auth/accounts.h"
#include "parley/cli/commands.h"
#include "parley/cli/setup.h"
#include "parley/core/crypto.h"
#include "parley/domain/json_codec.h"
#include "parley/sqlite/sqlite_store.h"

namespace parley::cli {

int RunUserCreate(const UserOptions& options) {
  auto config = LoadAndPrepare(options.serve);
  if (!config) return 2;
  auto role = domain::ParseEnum<domain::Role>(options.admin ? "admin" : options.role);
  if (!role) {
    std::cerr << "parley: unknown role '" << options.role
              << "' (admin, supervisor, team_leader, agent, analyst, approver)\n";
    return 2;
  }
  // The password comes from standard input (one line) so that it stays out of the shell's
  // history and the process list; without one, a random password is made and printed.
  std::string password;
  bool generated = false;
  if (options.password_stdin) {
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else {
    password = core::RandomHex(12);
    generated = true;
  }
  std::error_code ec;
  std::filesystem::create_directories(config->storage.data_dir, ec);
  const auto& clock = core::SystemClock::Instance();
  auto store = sqlite::SqliteStore::Open(
      (std::filesystem::path(config->storage.data_dir) / "parley.db").string(), clock);
  if (!store.ok()) {
    std::cerr << "parley: " << store.error().message << "\n";
    return 1;
  }
  // Ids from another node number than the server's, so that a user made here while the server
  // makes one can never get the same id.
  core::IdGenerator ids(clock, 1023 - config->node.id);
  auth::Accounts accounts(**store, clock, ids);
  auto user = accounts.CreateUser(options.email, options.name, *role, password);
  if (!user.ok()) {
    std::cerr << "parley: " << user.error().message << "\n";
    return user.error().code == core::ErrorCode::kInternal ? 1 : 2;
  }
  std::cout << "Created " << domain::ToString(user->role) << " " << user->email << " (id "
            << user->id.ToString() << ")";
  if (generated) std::cout << " with the password " << password << " (shown only now)";
  std::cout << "\n";
  return 0;
}

}  // namespace parley::cli
