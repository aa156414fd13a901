// Triage's parts, one at a time, on one tweet-sized mention (`make bench`).
#include <benchmark/benchmark.h>

#include "parley/core/clock.h"
#include "parley/triage/language.h"
#include "parley/triage/patterns.h"
#include "parley/triage/pii.h"
#include "parley/triage/sentiment.h"
#include "parley/triage/triage.h"

namespace {

constexpr const char* kMention =
    "@acmehelp my order still hasn't arrived and nobody answers, seriously?! 😡 https://t.co/x1";

void BM_Sentiment(benchmark::State& state) {
  const auto& analyzer = parley::triage::SentimentAnalyzer::Default();
  for (auto _ : state) benchmark::DoNotOptimize(analyzer.Score(kMention));
}
BENCHMARK(BM_Sentiment);

void BM_Language(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(parley::triage::DetectLanguage(kMention));
}
BENCHMARK(BM_Language);

void BM_Pii(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(parley::triage::FindPii(kMention));
}
BENCHMARK(BM_Pii);

void BM_TriageWithDefaults(benchmark::State& state) {
  auto triager = parley::triage::Triager::Create({}, parley::core::SystemClock::Instance());
  parley::triage::TriageInput input;
  input.text = kMention;
  input.author_handle = "someone";
  for (auto _ : state) {
    // A different author and text each time, so duplicate detection stays out of the way.
    input.text[1] = static_cast<char>('a' + state.iterations() % 26);
    benchmark::DoNotOptimize((*triager)->Triage(input));
  }
}
BENCHMARK(BM_TriageWithDefaults);

void BM_ToJsonLine(benchmark::State& state) {
  auto triager = parley::triage::Triager::Create({}, parley::core::SystemClock::Instance());
  parley::triage::TriageInput input;
  input.text = kMention;
  const auto result = (*triager)->Triage(input);
  for (auto _ : state) benchmark::DoNotOptimize(parley::triage::ToJsonLine(result));
}
BENCHMARK(BM_ToJsonLine);

}  // namespace
