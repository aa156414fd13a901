// The simulator (C3.7): the router driven by a scenario on a simulated clock.
//
// A scenario (docs/simulation.md) names calendars, SLA policies, teams and agents (skills, caps,
// schedules, and how long each takes to answer), and a timeline of events: arrivals, customer
// messages, replies, presence changes, pulls, take-overs. The report gives, per conversation,
// who got it, how long it waited, its overflows and reassignments and each SLA clock's outcome,
// and a summary with SLA attainment. The same Router runs in the server.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "parley/core/result.h"
#include "parley/core/time.h"
#include "parley/routing/setup.h"  // ParseSpan

namespace parley::routing {

struct SimulationOptions {
  bool events = false;            // include every router event in the report
  bool check_invariants = false;  // check the router's guarantees after every step (tests)
};

// Errors name the field of the scenario that is wrong.
core::Result<nlohmann::json> Simulate(const nlohmann::json& scenario,
                                      const SimulationOptions& options = {});

}  // namespace parley::routing
