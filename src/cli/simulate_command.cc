// `parley simulate --scenario FILE`: the router over a scenario on a simulated clock (C3.7,
// docs/simulation.md), and `parley bench route`: routing decisions per second.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "parley/cli/commands.h"
#include "parley/core/clock.h"
#include "parley/routing/router.h"
#include "parley/routing/simulation.h"
#include "parley/sqlite/sqlite_store.h"
#include "parley/storage/store.h"

namespace parley::cli {
namespace {

// The stored conversations opened within [from, to) as arrival events, oldest first: last
// week's real traffic against the scenario's teams, caps and calendars (C3.7).
core::Status AddReplay(const SimulateOptions& options, nlohmann::json& scenario) {
  using core::ErrorCode;
  using core::MakeError;
  std::optional<core::Timestamp> from;
  std::optional<core::Timestamp> to;
  if (options.from && !(from = core::ParseTimestamp(*options.from))) {
    return MakeError(ErrorCode::kInvalidArgument, "--from: not an ISO 8601 time");
  }
  if (options.to && !(to = core::ParseTimestamp(*options.to))) {
    return MakeError(ErrorCode::kInvalidArgument, "--to: not an ISO 8601 time");
  }
  const auto path = std::filesystem::path(*options.replay_data) / "parley.db";
  if (!std::filesystem::exists(path)) {
    return MakeError(ErrorCode::kNotFound, path.string() + " does not exist");
  }
  PARLEY_ASSIGN_OR_RETURN(auto store,
                          sqlite::SqliteStore::Open(path.string(), core::SystemClock::Instance()));
  PARLEY_ASSIGN_OR_RETURN(auto conversations,
                          storage::ListAll<domain::Conversation>(*store, domain::WorkspaceId()));
  std::erase_if(conversations, [&](const domain::Conversation& c) {
    return (from && c.opened_at < *from) || (to && c.opened_at >= *to);
  });
  std::sort(conversations.begin(), conversations.end(),
            [](const auto& a, const auto& b) { return a.opened_at < b.opened_at; });
  if (conversations.empty()) {
    return MakeError(ErrorCode::kNotFound, "no stored conversation opened in that period");
  }
  if (!scenario.contains("events")) scenario["events"] = nlohmann::json::array();
  for (const auto& c : conversations) {
    nlohmann::json event = {
        {"at", core::FormatIso8601(c.opened_at)},
        {"type", "arrive"},
        {"conversation", "stored-" + c.id.ToString()},
        {"customer", "customer-" + c.customer_id.ToString()},
        {"channel", c.channels.empty() ? "x" : domain::ToString(c.channels.front())},
        {"priority", c.priority},
        {"tier", static_cast<int>(c.tier)}};
    if (!c.category.empty()) event["topic"] = c.category;
    if (options.replay_team) event["team"] = *options.replay_team;
    scenario["events"].push_back(std::move(event));
  }
  // The simulation starts with the period (or the first stored arrival).
  scenario["start"] = core::FormatIso8601(from.value_or(conversations.front().opened_at));
  return core::Ok();
}

}  // namespace

int RunSimulate(const SimulateOptions& options) {
  std::ifstream in(options.scenario);
  if (!in) {
    std::cerr << "parley: cannot read " << options.scenario << "\n";
    return 2;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto scenario = nlohmann::json::parse(text.str(), nullptr, false);
  if (scenario.is_discarded()) {
    std::cerr << "parley: " << options.scenario << " is not JSON\n";
    return 2;
  }
  if (options.replay_data) {
    if (auto added = AddReplay(options, scenario); !added.ok()) {
      std::cerr << "parley: replay: " << added.error().message << "\n";
      return 2;
    }
  }
  auto report = routing::Simulate(scenario, {.events = options.events, .check_invariants = false});
  if (!report.ok()) {
    std::cerr << "parley: " << options.scenario << ": " << report.error().message << "\n";
    return 2;
  }
  if (options.json) {
    std::cout << report->dump() << "\n";
    return 0;
  }
  for (const auto& [name, c] : (*report)["conversations"].items()) {
    std::cout << name << ": " << c["status"].get<std::string>();
    if (c.contains("assignee")) std::cout << " by " << c["assignee"].get<std::string>();
    if (c.contains("wait_seconds")) std::cout << ", waited " << c["wait_seconds"] << " s";
    for (const auto& [clock, outcome] : c["sla"].items()) {
      std::cout << ", " << clock << " "
                << (outcome["met"].is_boolean() ? (outcome["met"].get<bool>() ? "met" : "missed")
                                                : "running");
    }
    std::cout << "\n";
  }
  for (const auto& [key, value] : (*report)["summary"].items()) {
    std::cout << key << ": " << value << "\n";
  }
  return 0;
}

// 200 agents in 10 teams of 20 with language and topic skills, caps of 5 (1,000 places), and a
// steady stream: each step one conversation arrives, one assigned earlier is answered and one is
// resolved. 1,100 are open at a time, so about 100 wait in the queues and every resolution hands
// the freed place to the next in line: push and queue are both exercised.
nlohmann::json BenchRoute(int count) {
  using namespace std::chrono;
  std::mt19937_64 random(7);
  const std::vector<std::string> languages = {"en", "es", "fr", "de", "pt"};
  const std::vector<std::string> topics = {"billing", "delivery", "refunds", "account", "outage"};
  routing::RouterConfig config;
  for (int t = 1; t <= 10; ++t) {
    domain::Team team;
    team.id = domain::TeamId(t);
    team.name = "team " + std::to_string(t);
    team.overflow_team_id = domain::TeamId(t % 10 + 1);
    team.max_wait = minutes(10);
    team.reassign_after = minutes(30);
    team.distribution =
        t % 2 ? domain::Distribution::kLeastLoad : domain::Distribution::kRoundRobin;
    for (int a = 1; a <= 20; ++a) {
      const int id = (t - 1) * 20 + a;
      domain::Agent agent;
      agent.id = domain::AgentId(id);
      agent.display_name = "agent " + std::to_string(id);
      agent.max_concurrent = 5;
      agent.presence = domain::Presence::kOnline;
      agent.skills = {{domain::SkillKind::kLanguage, languages[static_cast<std::size_t>(a % 5)], 4},
                      {domain::SkillKind::kLanguage, "en", 3},
                      {domain::SkillKind::kTopic, topics[static_cast<std::size_t>(id % 5)], 3}};
      agent.channel_weights[domain::ChannelKind::kWhatsApp] = 2;
      config.agents.push_back(agent);
      team.member_ids.push_back(agent.id);
    }
    config.teams.push_back(team);
  }
  core::Timestamp now = *core::ParseTimestamp("2026-03-27T09:00:00Z");
  auto created = routing::Router::Create(config, now);
  if (!created.ok()) throw std::runtime_error(created.error().message);
  routing::Router& router = **created;
  for (const auto& agent : config.agents) {
    if (!router.Connected(agent.id, now).ok()) throw std::runtime_error("connect failed");
  }
  constexpr int kOpen = 1'100;
  std::uint64_t commands = 0;
  const auto started = steady_clock::now();
  for (int i = 1; i <= count; ++i) {
    now += milliseconds(200);
    routing::Arrival arrival;
    arrival.conversation = domain::ConversationId(i);
    arrival.customer = domain::CustomerId(1 + static_cast<std::int64_t>(random() % 50'000));
    arrival.team = domain::TeamId(1 + static_cast<std::int64_t>(random() % 10));
    arrival.channel = random() % 4 == 0 ? domain::ChannelKind::kWhatsApp : domain::ChannelKind::kX;
    arrival.private_channel = arrival.channel == domain::ChannelKind::kWhatsApp;
    arrival.language = random() % 3 == 0 ? languages[random() % 5] : "en";
    arrival.topic = topics[random() % 5];
    arrival.priority = static_cast<int>(random() % 101);
    arrival.opened_at = now;
    (void)router.Open(arrival, now);
    ++commands;
    if (i > kOpen / 2) {
      const domain::ConversationId answered(i - kOpen / 2);
      if (const auto* c = router.Find(answered); c != nullptr && c->assignee) {
        (void)router.AgentReplied(answered, c->assignee, now);
        ++commands;
      }
    }
    if (i > kOpen) {
      (void)router.Resolve(domain::ConversationId(i - kOpen), now);
      ++commands;
    }
    router.TakeEvents();
  }
  const double seconds = duration<double>(steady_clock::now() - started).count();
  std::size_t queued = 0;
  for (const auto& team : router.teams()) queued += team.queue.size();
  return {{"benchmark", "route"},
          {"agents", config.agents.size()},
          {"teams", config.teams.size()},
          {"conversations", count},
          {"commands", commands},
          {"assignments", router.decisions()},
          {"seconds", seconds},
          {"assignments_per_second", static_cast<double>(router.decisions()) / seconds},
          {"commands_per_second", static_cast<double>(commands) / seconds},
          {"queued_at_end", queued}};
}

}  // namespace parley::cli
