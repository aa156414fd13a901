// The simulated agents of `parley demo` (PRODUCT.md C9.1): colleagues for the people trying
// Parley out. They are agents of the demo's routing set-up like any other, with logins of their
// own (emails ending in @sim.demo.parley.local): they connect (so the router counts them online),
// take what routing gives them within their caps, answer each conversation a little later in its
// language through the same path as an agent's reply (the outbox, to the demo's sandbox
// platforms), and resolve it a while after the customer has gone quiet. What they leave (the
// queue beyond their caps, what overflows) is for the people.
//
// Thread-safety: Start and Stop from one thread (demo_loop.h).
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "parley/app/application.h"
#include "parley/cli/demo_loop.h"

namespace parley::cli {

// The domain of the simulated agents' logins.
inline constexpr std::string_view kSimulatedAgentDomain = "@sim.demo.parley.local";

class DemoAgents {
 public:
  DemoAgents(app::Application& app, std::uint64_t seed) : app_(app), random_(seed) {}
  ~DemoAgents() { Stop(); }
  DemoAgents(const DemoAgents&) = delete;
  DemoAgents& operator=(const DemoAgents&) = delete;

  void Start() {
    loop_.Start([this] { Run(); });
  }
  void Stop() { loop_.Stop(); }

 private:
  struct Simulated {
    domain::WorkspaceId workspace;
    domain::AgentId agent;
    domain::User user;
  };
  void Run();
  // Finds the simulated agents of every workspace and connects them.
  void Connect();
  // One look at each simulated agent's conversations: answer or resolve what is due.
  void Step();
  void Answer(const Simulated& who, const domain::Conversation& conversation);
  void Resolve(const Simulated& who, const domain::Conversation& conversation);

  app::Application& app_;
  std::mt19937_64 random_;
  std::vector<Simulated> agents_;
  // When the agent acts on each conversation, set when they first see it in its present state.
  std::map<std::pair<std::int64_t, std::int64_t>, std::chrono::steady_clock::time_point> due_;
  DemoLoop loop_;
};

}  // namespace parley::cli
