// `parley bench triage`: mentions triaged per second on one core, on generated tweet-sized text,
// with 1,000 keyword patterns on top of the shipped tables and every classifier on.
#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>

#include "parley/core/clock.h"
#include "parley/triage/triage.h"

namespace parley::cli {

namespace {

// Made-up product words: they exercise the pattern database without matching by accident.
std::string PseudoWord(std::mt19937_64& random) {
  static constexpr std::string_view kSyllables[] = {"ka",  "zo",  "ri",  "mu",  "te",
                                                    "lon", "vex", "qua", "dri", "po",
                                                    "sil", "nar", "gu",  "fen", "ox"};
  std::string word;
  const int parts = 2 + static_cast<int>(random() % 3);
  for (int i = 0; i < parts; ++i) word += kSyllables[random() % std::size(kSyllables)];
  return word;
}

std::vector<triage::TriageInput> Mentions(std::size_t count,
                                          const std::vector<std::string>& products,
                                          std::mt19937_64& random) {
  static constexpr std::string_view kOpenings[] = {
      "my order still hasn't arrived",
      "thanks so much for the quick help",
      "why was I charged twice for",
      "the app keeps crashing when I open",
      "can you tell me when the store opens",
      "absolutely love the new",
      "worst customer service ever, nobody answers about",
      "is there an outage? no internet since",
      "where is my refund for",
      "just bought the",
      "mi pedido no ha llegado todavía,",
      "ma commande est en retard,",
      "meine Bestellung ist nicht angekommen",
      "o meu pedido não chegou"};
  static constexpr std::string_view kEndings[] = {"",
                                                  "!!",
                                                  "?",
                                                  " 😡",
                                                  " 😍",
                                                  " please help",
                                                  " #fail",
                                                  " https://t.co/abc123",
                                                  " call me on 07700 900123",
                                                  " ... seriously?",
                                                  " :)",
                                                  " so disappointed"};
  std::vector<triage::TriageInput> inputs(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto& input = inputs[i];
    input.text = "@brand" + std::to_string(random() % 50) + " " +
                 std::string(kOpenings[random() % std::size(kOpenings)]) + " " +
                 products[random() % products.size()] + " order " +
                 std::to_string(random() % 100000) +
                 std::string(kEndings[random() % std::size(kEndings)]);
    input.channel = domain::ChannelKind::kX;
    input.author_handle = "user" + std::to_string(random() % 200000);
    input.followers = static_cast<std::int64_t>(random() % 100000);
    input.platform_message_id = std::to_string(i);
    input.metrics.likes = static_cast<std::int64_t>(random() % 40);
  }
  return inputs;
}

}  // namespace

nlohmann::json BenchTriage(int count) {
  std::mt19937_64 random(7);
  std::vector<std::string> products;
  nlohmann::json tables = nlohmann::json::array();
  for (int t = 0; t < 10; ++t) {
    nlohmann::json entries = nlohmann::json::array();
    for (int e = 0; e < 100; ++e) {
      std::string word = PseudoWord(random);
      if (e % 4 == 0) word += " " + PseudoWord(random);  // a phrase
      products.push_back(word);
      entries.push_back(
          {{"pattern", word}, {"tags", {"product_" + std::to_string(t)}}, {"priority", e % 30}});
    }
    tables.push_back({{"name", "products_" + std::to_string(t)}, {"entries", entries}});
  }
  nlohmann::json config{
      {"keyword_tables", tables},
      {"brand_handles", {"brand0"}},
      {"key_customers", {{{"handle", "user42"}, {"tier", "gold"}}}},
      {"rules",
       {{{"name", "escalate crises"},
         {"when", {{{"field", "intent"}, {"value", "potential_crisis"}}}},
         {"then", {{{"action", "escalate"}}}}},
        {{"name", "vip"},
         {"when", {{{"field", "author.followers"}, {"op", "at_least"}, {"value", 50000}}}},
         {"then", {{{"action", "tag"}, {"argument", "vip"}}}}}}}};
  auto parsed = triage::ParseTriageConfig(config.dump());
  if (!parsed.ok()) throw std::runtime_error(parsed.error().message);
  const auto compile_start = std::chrono::steady_clock::now();
  auto triager = triage::Triager::Create(std::move(parsed).value(), core::SystemClock::Instance());
  if (!triager.ok()) throw std::runtime_error(triager.error().message);
  const double compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - compile_start)
          .count();

  const auto inputs = Mentions(static_cast<std::size_t>(count), products, random);
  std::size_t actionable = 0;
  std::size_t tagged = 0;
  (*triager)->Triage(
      inputs.front());  // first-use costs (lexicons, scratch space) outside the timing
  const auto start = std::chrono::steady_clock::now();
  for (const auto& input : inputs) {
    const triage::TriageResult result = (*triager)->Triage(input);
    actionable += result.actionable ? 1 : 0;
    tagged += result.tags.empty() ? 0 : 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::size_t bytes = 0;
  for (const auto& input : inputs) bytes += input.text.size();

  nlohmann::json out;
  out["benchmark"] = "triage";
  out["mentions"] = count;
  out["threads"] = 1;
  out["patterns"] = (*triager)->pattern_count();
  out["keyword_patterns_configured"] = products.size();
  out["mean_text_bytes"] = static_cast<double>(bytes) / static_cast<double>(count);
  out["compile_ms"] = std::round(compile_ms * 10) / 10;
  out["seconds"] = seconds;
  out["mentions_per_second_per_core"] = std::round(static_cast<double>(count) / seconds);
  out["microseconds_per_mention"] = std::round(seconds / count * 1e6 * 100) / 100;
  out["actionable_share"] = static_cast<double>(actionable) / static_cast<double>(count);
  out["tagged_share"] = static_cast<double>(tagged) / static_cast<double>(count);
  return out;
}

}  // namespace parley::cli
