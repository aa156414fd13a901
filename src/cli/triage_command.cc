// `parley triage [--config FILE]`: JSON lines in, one JSON line of triage out per line in. The
// same Triager the server's ingest runs.
#include <iostream>
#include <nlohmann/json.hpp>

#include "parley/cli/commands.h"
#include "parley/core/clock.h"
#include "parley/core/time.h"
#include "parley/triage/triage.h"

namespace parley::cli {
namespace {

using nlohmann::json;

}  // namespace

int RunTriage(const TriageOptions& options) {
  triage::TriageConfig config;
  if (options.config_path) {
    auto loaded = triage::LoadTriageConfig(*options.config_path);
    if (!loaded.ok()) {
      std::cerr << "parley: " << loaded.error().message << "\n";
      return 2;
    }
    config = std::move(loaded).value();
  }
  if (options.key_customers_path) {
    auto customers = triage::LoadKeyCustomersCsv(*options.key_customers_path);
    if (!customers.ok()) {
      std::cerr << "parley: " << customers.error().message << "\n";
      return 2;
    }
    for (auto& customer : *customers) config.key_customers.push_back(std::move(customer));
  }
  auto triager = triage::Triager::Create(std::move(config), core::SystemClock::Instance());
  if (!triager.ok()) {
    std::cerr << "parley: " << triager.error().message << "\n";
    return 2;
  }
  std::ios::sync_with_stdio(false);
  std::string line;
  std::size_t number = 0;
  std::size_t failures = 0;
  while (std::getline(std::cin, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto input = triage::ParseTriageInput(line);
    if (!input.ok()) {
      ++failures;
      std::cerr << "parley: line " << number << ": " << input.error().message << "\n";
      std::cout << json{{"error", input.error().message}, {"line", number}}.dump() << "\n";
      continue;
    }
    std::cout << triage::ToJsonLine((*triager)->Triage(*input)) << "\n";
  }
  std::cout.flush();
  return failures == 0 ? 0 : 1;
}

}  // namespace parley::cli
