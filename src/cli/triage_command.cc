// `parley triage [--config FILE]`: JSON lines in, one JSON line of triage out per line in. The
// same Triager the server's engine runs.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "parley/cli/commands.h"
#include "parley/core/clock.h"
#include "parley/core/time.h"
#include "parley/triage/triage.h"

namespace parley::cli {
namespace {

using nlohmann::json;

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::int64_t Count(const json& object, const char* key) {
  if (!object.contains(key) || !object.at(key).is_number_integer()) return 0;
  return object.at(key).get<std::int64_t>();
}

// Reads one input line; the error names the field that is wrong.
core::Result<triage::TriageInput> ParseInput(const std::string& line) {
  const auto invalid = [](std::string message) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, std::move(message));
  };
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return invalid("not a JSON object");
  if (!j.contains("text") || !j.at("text").is_string()) return invalid("\"text\" must be a string");
  triage::TriageInput input;
  input.text = j.at("text").get<std::string>();
  const auto string_field = [&](const json& object, const char* key,
                                std::string& out) -> core::Status {
    if (!object.contains(key) || object.at(key).is_null()) return core::Ok();
    if (!object.at(key).is_string())
      return invalid(std::string("\"") + key + "\" must be a string");
    out = object.at(key).get<std::string>();
    return core::Ok();
  };
  std::string channel;
  PARLEY_TRY(string_field(j, "channel", channel));
  if (!channel.empty()) {
    const auto kind = domain::ParseEnum<domain::ChannelKind>(channel);
    if (!kind) return invalid("unknown channel \"" + channel + "\"");
    input.channel = *kind;
  }
  PARLEY_TRY(string_field(j, "lang", input.language_hint));
  PARLEY_TRY(string_field(j, "id", input.platform_message_id));
  for (const char* key : {"created_at", "last_contact_at"}) {
    std::string text;
    PARLEY_TRY(string_field(j, key, text));
    if (text.empty()) continue;
    const auto at = core::ParseTimestamp(text);
    if (!at) return invalid(std::string("\"") + key + "\" must be an RFC 3339 time");
    (std::string_view(key) == "created_at" ? input.created_at : input.last_contact_at) = *at;
  }
  if (j.contains("author") && !j.at("author").is_null()) {
    const json& author = j.at("author");
    if (!author.is_object()) return invalid("\"author\" must be an object");
    PARLEY_TRY(string_field(author, "handle", input.author_handle));
    PARLEY_TRY(string_field(author, "id", input.author_id));
    if (author.contains("followers") && !author.at("followers").is_number()) {
      return invalid("\"author.followers\" must be a number");
    }
    input.followers = author.contains("followers") ? author.at("followers").get<std::int64_t>() : 0;
    input.verified = author.contains("verified") && author.at("verified").is_boolean() &&
                     author.at("verified").get<bool>();
  }
  if (j.contains("metrics") && j.at("metrics").is_object()) {
    const json& m = j.at("metrics");
    input.metrics.likes = Count(m, "likes");
    input.metrics.reposts = Count(m, "reposts");
    input.metrics.replies = Count(m, "replies");
    input.metrics.quotes = Count(m, "quotes");
  }
  input.is_repost =
      j.contains("is_repost") && j.at("is_repost").is_boolean() && j.at("is_repost").get<bool>();
  return input;
}

}  // namespace

int RunTriage(const TriageOptions& options) {
  triage::TriageConfig config;
  if (options.config_path) {
    const auto text = ReadFile(*options.config_path);
    if (!text) {
      std::cerr << "parley: cannot read " << *options.config_path << "\n";
      return 2;
    }
    auto parsed = triage::ParseTriageConfig(*text);
    if (!parsed.ok()) {
      std::cerr << "parley: " << *options.config_path << ": " << parsed.error().message << "\n";
      return 2;
    }
    config = std::move(parsed).value();
  }
  if (options.key_customers_path) {
    const auto text = ReadFile(*options.key_customers_path);
    if (!text) {
      std::cerr << "parley: cannot read " << *options.key_customers_path << "\n";
      return 2;
    }
    auto customers = triage::ParseKeyCustomersCsv(*text);
    if (!customers.ok()) {
      std::cerr << "parley: " << *options.key_customers_path << ": " << customers.error().message
                << "\n";
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
    auto input = ParseInput(line);
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
