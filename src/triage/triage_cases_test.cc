// Runs every tests/cases/triage/*.case (format in that folder's README.md) through one Triager
// configured with tests/cases/triage/config.json.
#include <gtest/gtest.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "parley/core/clock.h"
#include "parley/triage/triage.h"

namespace parley::triage {
namespace {

namespace fs = std::filesystem;

const fs::path kCases = fs::path(PARLEY_SOURCE_DIR) / "tests" / "cases" / "triage";

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> Split(std::string_view s, char by) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = s.find(by, start);
    std::string part =
        Trim(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (!part.empty()) out.push_back(std::move(part));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

// "72", ">= 70", "< 4.5"
std::string CheckNumber(std::string_view field, double actual, const std::string& expected) {
  std::string op = "==";
  std::string_view number = expected;
  for (std::string_view candidate : {">=", "<=", ">", "<", "="}) {
    if (number.starts_with(candidate)) {
      op = candidate == "=" ? "==" : std::string(candidate);
      number.remove_prefix(candidate.size());
      break;
    }
  }
  const std::string trimmed = Trim(number);
  double value = 0;
  const auto [end, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
  if (ec != std::errc() || end != trimmed.data() + trimmed.size()) {
    return std::string(field) + ": cannot read \"" + expected + "\"";
  }
  const bool ok = op == ">="   ? actual >= value
                  : op == "<=" ? actual <= value
                  : op == ">"  ? actual > value
                  : op == "<"  ? actual < value
                               : std::abs(actual - value) < 1e-9;
  if (ok) return {};
  return std::string(field) + ": expected " + op + " " + trimmed + ", got " +
         std::to_string(actual);
}

std::string CheckList(std::string_view field, const std::vector<std::string>& actual,
                      const std::string& expected) {
  std::string problems;
  if (expected.starts_with('=')) {
    const auto wanted = Split(expected.substr(1), ' ');
    if (std::multiset<std::string>(wanted.begin(), wanted.end()) !=
        std::multiset<std::string>(actual.begin(), actual.end())) {
      problems += std::string(field) + ": expected exactly \"" + expected.substr(1) + "\"";
    }
  } else {
    for (const std::string& item : Split(expected, ' ')) {
      const bool present = std::find(actual.begin(), actual.end(), item.substr(1)) != actual.end();
      if (item.front() == '+' && !present)
        problems += std::string(field) + ": missing " + item.substr(1) + "; ";
      if (item.front() == '-' && present)
        problems += std::string(field) + ": unexpected " + item.substr(1) + "; ";
      if (item.front() != '+' && item.front() != '-')
        problems += std::string(field) + ": write +x or -x; ";
    }
  }
  if (problems.empty()) return {};
  std::string got;
  for (const auto& a : actual) got += (got.empty() ? "" : " ") + a;
  return problems + " (got: " + got + ")";
}

std::string Check(const std::string& field, const std::string& expected, const TriageResult& r) {
  const auto equal = [&](const std::string& actual) -> std::string {
    if (actual == expected) return {};
    return field + ": expected " + expected + ", got " + actual;
  };
  if (field == "actionable") return equal(r.actionable ? "true" : "false");
  if (field == "tier") return equal(std::to_string(r.tier));
  if (field == "intent") return equal(std::string(domain::ToString(r.intent)));
  if (field == "risk") return equal(std::string(domain::ToString(r.risk)));
  if (field == "polarity") return equal(std::string(domain::ToString(r.polarity)));
  if (field == "language") return equal(r.language.empty() ? "none" : r.language);
  if (field == "sentiment") return CheckNumber(field, r.sentiment, expected);
  if (field == "priority") return CheckNumber(field, r.priority, expected);
  if (field == "tags") return CheckList(field, r.tags, expected);
  if (field == "filters") return CheckList(field, r.filters, expected);
  if (field == "actions") {
    std::vector<std::string> kinds;
    for (const auto& action : r.actions) kinds.emplace_back(domain::ToString(action.kind));
    return CheckList(field, kinds, expected);
  }
  if (field == "pii") {
    std::string types;
    for (const auto& span : r.pii)
      types += (types.empty() ? "" : ", ") + std::string(domain::ToString(span.type));
    return equal(types.empty() ? "none" : types);
  }
  if (field == "public_text") return equal(r.public_text);
  if (field == "reason") {
    for (const Reason& reason : r.reasons) {
      if (reason.because.find(expected) != std::string::npos) return {};
    }
    return "reason: none says \"" + expected + "\"";
  }
  return "unknown field \"" + field + "\"";
}

TEST(TriageCases, EveryCaseHolds) {
  ASSERT_TRUE(fs::exists(kCases)) << kCases;
  auto config = ParseTriageConfig(Read(kCases / "config.json"));
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    if (entry.path().extension() == ".case") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  core::ManualClock clock(core::FromMillis(1'790'000'000'000));
  std::size_t passed = 0;
  std::size_t known_failures = 0;
  std::set<std::string> languages;
  auto compiled = Triager::Create(*config, clock);
  ASSERT_TRUE(compiled.ok()) << compiled.error().ToString();
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    // Each case starts from a fresh memory: earlier cases do not make later ones duplicates.
    const std::unique_ptr<Triager> triager = (*compiled)->Fresh();
    const std::string text = Read(file);
    const std::size_t split = text.find("\n----\n");
    ASSERT_NE(split, std::string::npos) << "no ---- line";
    std::vector<std::string> messages;
    const std::string head = Trim(text.substr(0, split));
    if (head.starts_with('{')) {
      messages = Split(head, '\n');
    } else {
      messages.push_back(nlohmann::json{{"text", head}}.dump());
    }
    TriageResult result;
    for (const std::string& line : messages) {
      auto input = ParseTriageInput(line);
      ASSERT_TRUE(input.ok()) << input.error().ToString();
      result = triager->Triage(*input);
      clock.Advance(std::chrono::minutes(2));
    }
    std::string problems;
    std::string known_failure;
    for (const std::string& line : Split(text.substr(split + 6), '\n')) {
      if (line.starts_with('#')) continue;
      if (line.starts_with("xfail:")) {
        known_failure = Trim(line.substr(6));
        continue;
      }
      const std::size_t colon = line.find(':');
      ASSERT_NE(colon, std::string::npos) << "expected field: value, got " << line;
      const std::string problem =
          Check(Trim(line.substr(0, colon)), Trim(line.substr(colon + 1)), result);
      if (!problem.empty()) problems += "\n  " + problem;
    }
    if (!result.language.empty()) languages.insert(result.language);
    if (!known_failure.empty()) {
      // A known limitation, written down in the case; when it starts to hold, say so.
      if (problems.empty()) {
        ADD_FAILURE() << file.filename().string() << " now holds: remove its xfail line";
      } else {
        ++known_failures;
        std::cout << "known failure " << file.filename().string() << ": " << known_failure << "\n";
      }
    } else if (problems.empty()) {
      ++passed;
    } else {
      ADD_FAILURE() << file.filename().string() << ":" << problems
                    << "\n  output: " << ToJsonLine(result);
    }
  }
  std::cout << passed << " of " << files.size() << " triage cases hold (" << known_failures
            << " known failures), in " << languages.size() << " languages\n";
}

}  // namespace
}  // namespace parley::triage
