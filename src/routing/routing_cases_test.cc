// Runs every tests/cases/routing/*.json through the simulator (format in that folder's
// README.md): the report must contain what "expect" says, and the router's guarantees must hold
// after every step.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "parley/routing/simulation.h"

namespace parley::routing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kCases = fs::path(PARLEY_SOURCE_DIR) / "tests" / "cases" / "routing";

// Every difference between what is expected and what came out, one per line, with its path.
void Compare(const json& expected, const json& actual, const std::string& path,
             std::string& differences) {
  if (expected.is_object()) {
    if (!actual.is_object()) {
      differences += path + ": expected an object, got " + actual.dump() + "\n";
      return;
    }
    for (const auto& [key, value] : expected.items()) {
      if (!actual.contains(key)) {
        differences += path + "." + key + ": missing (expected " + value.dump() + ")\n";
        continue;
      }
      Compare(value, actual[key], path + "." + key, differences);
    }
    return;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) {
      differences += path + ": expected " + expected.dump() + ", got " + actual.dump() + "\n";
      return;
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      Compare(expected[i], actual[i], path + "[" + std::to_string(i) + "]", differences);
    }
    return;
  }
  if (expected.is_number() && actual.is_number()) {
    if (std::abs(expected.get<double>() - actual.get<double>()) > 1e-6) {
      differences += path + ": expected " + expected.dump() + ", got " + actual.dump() + "\n";
    }
    return;
  }
  if (expected != actual) {
    differences += path + ": expected " + expected.dump() + ", got " + actual.dump() + "\n";
  }
}

std::vector<fs::path> Cases() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    if (entry.path().extension() == ".json") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(RoutingCases, ThereAreAtLeastForty) { EXPECT_GE(Cases().size(), 40u); }

TEST(RoutingCases, EveryCaseHolds) {
  int failed = 0;
  for (const auto& path : Cases()) {
    SCOPED_TRACE(path.filename().string());
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    const json spec = json::parse(text.str(), nullptr, false);
    ASSERT_FALSE(spec.is_discarded()) << "not JSON";
    ASSERT_TRUE(spec.contains("scenario") &&
                (spec.contains("expect") || spec.contains("expect_error")))
        << "a case has \"scenario\" and \"expect\" (or \"expect_error\")";
    auto report = Simulate(spec["scenario"], {.events = false, .check_invariants = true});
    if (spec.contains("expect_error")) {
      const std::string wanted = spec["expect_error"].get<std::string>();
      if (report.ok() || report.error().message.find(wanted) == std::string::npos) {
        ADD_FAILURE() << "expected the error \"" << wanted << "\", got "
                      << (report.ok() ? "a report" : report.error().message);
        ++failed;
      }
      continue;
    }
    if (!report.ok()) {
      ADD_FAILURE() << report.error().message;
      ++failed;
      continue;
    }
    std::string differences;
    Compare(spec["expect"], *report, "report", differences);
    if (!differences.empty()) {
      ADD_FAILURE() << differences << "report: " << report->dump(1);
      ++failed;
    }
  }
  EXPECT_EQ(failed, 0);
}

}  // namespace
}  // namespace parley::routing
