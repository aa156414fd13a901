// Conformance on real payloads (PRODUCT.md C1, issue "Social channels"): every payload file in a
// platform's folder of ../shared/data either yields exactly the events written in
// tests/conformance/<folder>.expected, or is refused with the reason written there. Nothing
// crashes and nothing is silently ignored: a file that yields no events says so.
//
// To re-record after a deliberate change: PARLEY_UPDATE_CONFORMANCE=1, run, then read the diff of
// the .expected file before committing it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "parley/channels/describe.h"
#include "parley/channels/meta/meta_parser.h"
#include "parley/channels/x/x_parser.h"

namespace parley::channels {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool IsPayload(const fs::path& path) {
  const std::string name = path.filename().string();
  return path.extension() != ".md" && !name.starts_with("LICENSE");
}

// Some sample files wrap what the platform sent in the recorder's own envelope: tweepy's
// cassettes ({"_request", "_status", "body"}) and Zammad's captures ({"headers", "params"}). The
// wrapper is the recorder's, not the platform's, so the harness takes the payload out of it.
std::string Unwrap(const std::string& text) {
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return text;
  if (parsed.contains("_request") && parsed.contains("body")) return parsed["body"].dump();
  if (parsed.contains("headers") && parsed.contains("params")) return parsed["params"].dump();
  return text;
}

std::string Summarise(const PayloadParser& parser, const domain::ChannelAccount& account,
                      std::string_view raw) {
  const std::string body = Unwrap(std::string(raw));
  const auto received = core::FromMillis(1'767'225'600'000);  // 2026-01-01T00:00:00Z
  auto events = parser.Parse({body, "{}", account, received});
  if (!events.ok()) return "rejected: " + events.error().message + "\n";
  if (events->empty()) return "(no events)\n";
  std::string out;
  for (const auto& event : *events) out += Describe(event, /*digest_text=*/true) + "\n";
  return out;
}

void RunConformance(const std::string& folder, const PayloadParser& parser,
                    const domain::ChannelAccount& account) {
  const char* shared = std::getenv("PARLEY_SHARED_DATA");
  const fs::path root = shared ? fs::path(shared) / folder : fs::path();
  if (!shared || !fs::is_directory(root)) {
    GTEST_SKIP() << "../shared/data/" << folder << " is absent: conformance on real payloads "
                 << "skipped";
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && IsPayload(entry.path())) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());

  std::string actual;
  for (const auto& file : files) {
    const std::string name = fs::relative(file, root).string();
    const std::string body = ReadFile(file);
    // Fixture collections (pywa's): {"name": payload, ...}, each payload a Meta delivery.
    auto collection = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    const bool is_collection =
        collection.is_object() && !collection.empty() && !collection.contains("object") &&
        std::all_of(collection.begin(), collection.end(),
                    [](const auto& item) { return item.is_object() && item.contains("object"); });
    if (is_collection) {
      for (const auto& [key, payload] : collection.items()) {
        actual += "== " + name + "#" + key + "\n";
        actual += Summarise(parser, account, payload.dump());
      }
    } else if (file.extension() == ".jsonl") {
      std::istringstream lines(body);
      std::string line;
      int number = 0;
      while (std::getline(lines, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        actual += "== " + name + ":" + std::to_string(number) + "\n";
        actual += Summarise(parser, account, line);
      }
    } else {
      actual += "== " + name + "\n";
      actual += Summarise(parser, account, body);
    }
  }

  const fs::path expected_path = fs::path(PARLEY_CONFORMANCE_DIR) / (folder + ".expected");
  if (std::getenv("PARLEY_UPDATE_CONFORMANCE") != nullptr) {
    std::ofstream(expected_path, std::ios::binary) << actual;
    GTEST_SKIP() << "re-recorded " << expected_path.string();
  }
  ASSERT_TRUE(fs::exists(expected_path)) << "no expectations at " << expected_path.string();
  const std::string expected = ReadFile(expected_path);
  if (actual == expected) return;
  // Show the first difference with the file it belongs to.
  std::istringstream a(actual);
  std::istringstream e(expected);
  std::string line_a;
  std::string line_e;
  std::string current_file;
  while (true) {
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_e = static_cast<bool>(std::getline(e, line_e));
    if (!more_a && !more_e) break;
    if (more_a && line_a.starts_with("== ")) current_file = line_a;
    if (!more_a || !more_e || line_a != line_e) {
      FAIL() << "conformance differs in " << current_file
             << "\n  expected: " << (more_e ? line_e : "(end)")
             << "\n  actual:   " << (more_a ? line_a : "(end)");
    }
  }
}

TEST(Conformance, XTwitterWebhooks) {
  domain::ChannelAccount account;
  account.kind = domain::ChannelKind::kX;
  RunConformance("x-twitter-webhooks", x::XParser(), account);
}

TEST(Conformance, MetaWebhooks) {
  domain::ChannelAccount account;
  account.kind = domain::ChannelKind::kFacebook;
  RunConformance("meta-webhooks", meta::MetaParser(), account);
}

}  // namespace
}  // namespace parley::channels
