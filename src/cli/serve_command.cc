#include <pthread.h>

#include <array>
#include <cctype>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include "parley/app/application.h"
#include "parley/cli/commands.h"
#include "parley/cli/demo_agents.h"
#include "parley/cli/demo_sandbox.h"
#include "parley/cli/demo_stream.h"
#include "parley/cli/setup.h"
#include "parley/core/crypto.h"
#include "parley/telemetry/log.h"

namespace parley::cli {
namespace {

// Blocks SIGINT and SIGTERM in this thread and every thread started after it, so that the main
// thread can wait for them with sigwait and shut down in order.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Before anyone can log in there must be an admin: the first start makes one with a random
// password and prints it, once. (`parley user create --admin` makes one beforehand instead.)
core::Result<std::string> EnsureFirstAdmin(app::Application& app) {
  auto count = app.accounts().CountUsers();
  PARLEY_TRY(count);
  if (*count > 0) return std::string();
  const std::string password = core::RandomHex(12);
  auto admin = app.accounts().CreateUser("admin@parley.local", "Administrator",
                                         domain::Role::kAdmin, password);
  PARLEY_TRY(admin);
  return "First start: log in as " + admin->email + " with the password " + password +
         " (shown only now; change it, or create your own admin with `parley user create "
         "--admin`).\n";
}

// The demo's simulated agents (demo_agents.h): their names and the local part of their logins.
constexpr std::array<std::pair<const char*, const char*>, 3> kSimulatedAgents{{
    {"Priya Nair (simulated)", "priya"},
    {"Marco Rossi (simulated)", "marco"},
    {"Inês Costa (simulated)", "ines"},
}};

// The demo's people, one per role, with known passwords: for trying Parley out only.
core::Result<std::string> EnsureDemoUsers(app::Application& app) {
  std::string logins = "Demo logins (password in brackets):\n";
  for (const auto& [role, name] : domain::EnumNames<domain::Role>::kNames) {
    const std::string email = std::string(name) + "@demo.parley.local";
    const std::string password = "demo-" + std::string(name) + "-password";
    auto existing = app.accounts().FindUserByEmail(email);
    PARLEY_TRY(existing);
    if (!existing->has_value()) {
      std::string display(name);
      display[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(display[0])));
      PARLEY_TRY(app.accounts().CreateUser(email, "Demo " + display, role, password));
    }
    logins += "  " + std::string(name) + ": " + email + " (" + password + ")\n";
  }
  // The simulated agents' logins: theirs alone (a random password nobody is told).
  for (const auto& [name, local] : kSimulatedAgents) {
    const std::string email = std::string(local) + std::string(kSimulatedAgentDomain);
    auto existing = app.accounts().FindUserByEmail(email);
    PARLEY_TRY(existing);
    if (!existing->has_value()) {
      PARLEY_TRY(app.accounts().CreateUser(email, name, domain::Role::kAgent, core::RandomHex(16)));
    }
  }
  return logins;
}

// Writes `text` to `path` unless a file is there already (the demo's files are the user's to edit
// after the first start); false, having said why, when it cannot.
bool WriteOnce(const std::filesystem::path& path, std::string_view text) {
  if (std::filesystem::exists(path)) return true;
  std::ofstream out(path);
  out << text;
  if (!out) std::cerr << "parley: cannot write " << path.string() << "\n";
  return static_cast<bool>(out);
}

// `demo`: demo users, and the live simulated stream.
int ServeWith(config::Config config, const std::string& banner_extra, bool demo) {
  const sigset_t signals = BlockStopSignals();
  // The demo's accounts answer to the sandbox platforms, unless their configuration names an API.
  std::optional<DemoSandbox> sandbox;
  if (demo) {
    sandbox.emplace();
    if (auto started = sandbox->Start(); !started.ok()) {
      std::cerr << "parley: the demo's sandbox platforms: " << started.error().message << "\n";
      return 1;
    }
    sandbox->Connect(config);
  }
  auto app = app::Application::Open(config, core::SystemClock::Instance());
  if (!app.ok()) {
    std::cerr << "parley: " << app.error().message << "\n";
    return 1;
  }
  auto people = demo ? EnsureDemoUsers(**app) : EnsureFirstAdmin(**app);
  if (!people.ok()) {
    std::cerr << "parley: " << people.error().message << "\n";
    return 1;
  }
  if (auto started = (*app)->Start(); !started.ok()) {
    std::cerr << "parley: " << started.error().message << "\n";
    return 1;
  }
  std::cout << "Parley is listening on http://" << config.server.host << ":" << (*app)->port()
            << "/" << std::endl;
  if (!banner_extra.empty()) std::cout << banner_extra << std::flush;
  if (!people->empty()) std::cout << *people << std::flush;
  std::optional<DemoStream> stream;
  std::optional<DemoAgents> agents;
  if (demo) {
    const auto seed =
        static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    stream.emplace(**app, seed);
    stream->Start();
    agents.emplace(**app, seed ^ 0x5eed);
    agents->Start();
    std::cout << "A simulated stream of customers is writing in now, and simulated agents answer "
                 "some of it; answers go to sandbox platforms at "
              << sandbox->base_url() << " (parley demo)." << std::endl;
  }
  int received = 0;
  sigwait(&signals, &received);
  telemetry::LogInfo("server.stopping", {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
  if (stream) stream->Stop();
  if (agents) agents->Stop();
  (*app)->Shutdown();
  if (sandbox) sandbox->Stop();
  return 0;
}

}  // namespace

int RunServe(const ServeOptions& options) {
  auto config = LoadAndPrepare(options);
  if (!config) return 2;
  return ServeWith(*config, "", false);
}

int RunDemo(const ServeOptions& options) {
  ServeOptions demo = options;
  if (!demo.data_dir) demo.data_dir = "parley-data/demo";
  // The demo keeps its configuration in its data directory, with a secret made on first start.
  const std::filesystem::path dir(*demo.data_dir);
  const std::filesystem::path config_path = dir / "demo.toml";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::filesystem::path routing_path = dir / "acme-air-routing.json";
  // The demo's people are Acme Air's agents: the agent, the team leader and the supervisor
  // (docs/routing.md). Care answers first; escalations take what waits too long.
  if (!WriteOnce(routing_path, R"json({
  "description": "Written by `parley demo` on first start; edit freely (docs/routing.md).",
  "calendars": {
    "london": {"time_zone": "Europe/London", "weekdays": ["08:00-20:00"],
               "weekly": {"sat": ["09:00-17:00"], "sun": ["09:00-17:00"]},
               "holidays": ["2026-12-25", "2026-12-26", "2027-01-01"]}
  },
  "default_sla_policy": {
    "business_hours": true,
    "targets": [
      {"metric": "first_response", "channel": "x", "target": "15m", "warn_before": "5m"},
      {"metric": "first_response", "channel": "facebook", "target": "1h", "warn_before": "15m"},
      {"metric": "first_response", "target": "1h", "warn_before": "15m"},
      {"metric": "next_response", "target": "30m", "warn_before": "10m"},
      {"metric": "resolution", "target": "1d"}
    ]
  },
  "teams": {
    "care": {"members": ["Demo Agent", "Demo Team_leader", "Priya Nair (simulated)",
                         "Marco Rossi (simulated)"],
             "leader": "Demo Team_leader",
             "overflow": "escalations", "max_wait": "10m", "reassign_after": "20m",
             "calendar": "london"},
    "escalations": {"members": ["Demo Supervisor"], "leader": "Demo Supervisor",
                    "calendar": "london"}
  },
  "default_team": "care",
  "agents": {
    "Demo Agent": {"email": "agent@demo.parley.local", "cap": 5,
                   "skills": ["language:en:5", "language:es:3"]},
    "Demo Team_leader": {"email": "team_leader@demo.parley.local", "cap": 3},
    "Demo Supervisor": {"email": "supervisor@demo.parley.local", "cap": 8},
    "Priya Nair (simulated)": {"email": "priya@sim.demo.parley.local", "cap": 3,
                               "skills": ["language:en:5", "language:es:4", "language:pt:3"]},
    "Marco Rossi (simulated)": {"email": "marco@sim.demo.parley.local", "cap": 3,
                                "skills": ["language:en:4", "language:it:5", "language:fr:4",
                                           "language:de:3"]}
  }
}
)json"))
    return 1;
  const std::filesystem::path bank_routing_path = dir / "northwind-bank-routing.json";
  // The bank: one team, the demo's agent (who works for both brands) and a simulated colleague.
  if (!WriteOnce(bank_routing_path, R"json({
  "description": "Written by `parley demo` on first start; edit freely (docs/routing.md).",
  "teams": {
    "banking": {"members": ["Demo Agent", "Inês Costa (simulated)"], "max_wait": "15m"}
  },
  "agents": {
    "Demo Agent": {"email": "agent@demo.parley.local", "cap": 5},
    "Inês Costa (simulated)": {"email": "ines@sim.demo.parley.local", "cap": 3}
  }
}
)json"))
    return 1;
  const std::filesystem::path triage_path = dir / "acme-air-triage.json";
  // The shipped keyword tables, and the airline's key customers (the frequent flyers among the
  // stream's authors).
  if (!WriteOnce(triage_path, R"json({
  "defaults": true,
  "key_customers": [
    {"handle": "frequentflyermax", "tier": "platinum"},
    {"handle": "priya_s", "tier": "gold"},
    {"handle": "chloe_r", "tier": "silver"},
    {"handle": "omar_h", "tier": "gold"}
  ]
}
)json"))
    return 1;
  if (!std::filesystem::exists(config_path)) {
    std::ofstream out(config_path);
    out << "# Written by `parley demo` on first start; edit freely.\n"
        << "[[workspaces]]\nslug = \"acme-air\"\nname = \"Acme Air\"\n"
        << "time_zone = \"Europe/London\"\nbrand_handles = [\"@AcmeAir\", \"@AcmeAirHelp\"]\n"
        << "routing = \"" << std::filesystem::absolute(routing_path).string() << "\"\n"
        << "triage = \"" << std::filesystem::absolute(triage_path).string() << "\"\n"
        << "resolution_codes = [\"answered\", \"refunded\", \"rebooked\", \"bag_found\", "
           "\"escalated\", \"no_action\"]\n\n"
        << "[[workspaces]]\nslug = \"northwind-bank\"\nname = \"Northwind Bank\"\n"
        << "time_zone = \"America/New_York\"\nbrand_handles = [\"@NorthwindHelp\"]\n"
        << "routing = \"" << std::filesystem::absolute(bank_routing_path).string() << "\"\n\n"
        << "[[channel_accounts]]\nworkspace = \"northwind-bank\"\nkind = \"x\"\n"
        << "name = \"@NorthwindHelp\"\nplatform_account_id = \"1000000002\"\n"
        << "credentials = { consumer_secret = \"" << core::RandomHex(16) << "\" }\n\n"
        << "[[channel_accounts]]\nworkspace = \"northwind-bank\"\nkind = \"facebook\"\n"
        << "name = \"Northwind Bank on Facebook\"\nplatform_account_id = \"2000000002\"\n"
        << "credentials = { app_secret = \"" << core::RandomHex(16) << "\", verify_token = \""
        << core::RandomHex(8) << "\" }\n\n"
        << "[[channel_accounts]]\nworkspace = \"acme-air\"\nkind = \"generic\"\n"
        << "name = \"Reviews\"\nplatform_account_id = \"acme-reviews\"\n"
        << "credentials = { secret = \"" << core::RandomHex(16) << "\" }\n\n"
        << "[[channel_accounts]]\nworkspace = \"acme-air\"\nkind = \"x\"\n"
        << "name = \"@AcmeAirHelp\"\nplatform_account_id = \"1000000001\"\n"
        << "credentials = { consumer_secret = \"" << core::RandomHex(16) << "\" }\n";
    const std::string meta_secret = core::RandomHex(16);
    const std::string verify_token = core::RandomHex(8);
    for (const auto& [kind, name, id] :
         {std::tuple{"facebook", "Acme Air on Facebook", "2000000001"},
          std::tuple{"instagram", "@acmeair on Instagram", "3000000001"},
          std::tuple{"whatsapp", "Acme Air on WhatsApp", "4000000001"}}) {
      out << "\n[[channel_accounts]]\nworkspace = \"acme-air\"\nkind = \"" << kind
          << "\"\nname = \"" << name << "\"\nplatform_account_id = \"" << id << "\"\n"
          << "credentials = { app_secret = \"" << meta_secret << "\", verify_token = \""
          << verify_token << "\" }\n";
    }
    out << "\n[[channel_accounts]]\nworkspace = \"acme-air\"\nkind = \"email\"\n"
        << "name = \"Acme Air Help\"\nplatform_account_id = \"help@acme-air.example\"\n"
        << "credentials = { secret = \"" << core::RandomHex(16) << "\" }\n"
        << "\n[[channel_accounts]]\nworkspace = \"acme-air\"\nkind = \"webchat\"\n"
        << "name = \"Acme Air Help\"\nplatform_account_id = \"acme-air-site\"\n"
        << "credentials = { identity_secret = \"" << core::RandomHex(16) << "\" }\n";
    if (!out) {
      std::cerr << "parley: cannot write " << config_path.string() << "\n";
      return 1;
    }
  }
  demo.config_path = config_path.string();
  auto config = LoadAndPrepare(demo);
  if (!config) return 2;
  std::string extra;
  extra += "Demo data in " + dir.string() + " (configuration: " + config_path.string() + ")\n";
  extra +=
      "Channel accounts of every kind are declared there with their webhook secrets; "
      "docs/channels/ says how to post to each.\n";
  return ServeWith(*config, extra, true);
}

}  // namespace parley::cli
