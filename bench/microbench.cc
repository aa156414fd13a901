// Micro-benchmarks of the hot paths below the server: `make bench` runs them in the release
// build. Figures go to docs/benchmarks.md with the machine they were measured on.
#include <benchmark/benchmark.h>

#include "parley/channels/generic/generic_parser.h"
#include "parley/domain/json_codec.h"
#include "parley/engine/engine.h"
#include "parley/storage/memory_store.h"
#include "parley/telemetry/metrics.h"

namespace parley {
namespace {

std::string GenericPayload(int i) {
  return R"({"id":"m-)" + std::to_string(i) +
         R"(","kind":"post","text":"@AcmeAir flight delayed 3 hours and nobody at the gate can tell us anything #fail","author":{"id":"u)" +
         std::to_string(i % 5000) +
         R"(","handle":"traveller","name":"A Traveller","followers":1234},"created_at":"2026-11-23T04:35:42Z","lang":"en"})";
}

void BM_GenericParse(benchmark::State& state) {
  channels::generic::GenericParser parser;
  domain::ChannelAccount account;
  const std::string body = GenericPayload(1);
  for (auto _ : state) {
    auto events = parser.Parse({body, "{}", account, core::FromMillis(0)});
    benchmark::DoNotOptimize(events);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_GenericParse);

domain::Message SampleMessage() {
  domain::Message m;
  m.id = domain::MessageId(250485826096463872);
  m.workspace_id = domain::WorkspaceId(1);
  m.conversation_id = domain::ConversationId(2);
  m.platform_message_id = "1800000000000000000";
  m.author = {"123", "@traveller", "A Traveller", 1234, false};
  m.text = "@AcmeAir flight delayed 3 hours and nobody at the gate can tell us anything #fail";
  m.published_at = core::FromMillis(1'795'408'542'123);
  m.received_at = m.published_at;
  return m;
}

void BM_EncodeMessage(benchmark::State& state) {
  const auto message = SampleMessage();
  for (auto _ : state) benchmark::DoNotOptimize(domain::EncodeJson(message));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeMessage);

void BM_EncodeMessageFast(benchmark::State& state) {
  const auto message = SampleMessage();
  for (auto _ : state) benchmark::DoNotOptimize(domain::EncodeMessage(message));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeMessageFast);

void BM_DecodeMessage(benchmark::State& state) {
  const std::string json = domain::EncodeJson(SampleMessage());
  for (auto _ : state) benchmark::DoNotOptimize(domain::DecodeJson<domain::Message>(json));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeMessage);

// The engine's share of ingest: threading, de-duplication and conversation upkeep for batches of
// new mentions, writing to the in-memory store.
void BM_EngineIngest(benchmark::State& state) {
  core::ManualClock clock(core::FromMillis(1'800'000'000'000));
  core::IdGenerator ids(clock, 0);
  storage::MemoryStore store;
  domain::Workspace workspace;
  workspace.id = domain::WorkspaceId(1);
  engine::Engine engine(workspace, store, clock, ids);
  domain::ChannelAccount account;
  account.id = domain::ChannelAccountId(1);
  account.workspace_id = workspace.id;
  account.kind = domain::ChannelKind::kX;
  const int batch = static_cast<int>(state.range(0));
  int next = 0;
  for (auto _ : state) {
    std::vector<engine::Command> commands;
    commands.reserve(static_cast<std::size_t>(batch));
    for (int i = 0; i < batch; ++i, ++next) {
      domain::Message m;
      m.platform_message_id = std::to_string(next);
      m.author.platform_user_id = std::to_string(next % 5000);
      m.text = "where is my refund?";
      m.published_at = clock.Now();
      commands.emplace_back(engine::IngestCommand{domain::InboundMessage{m}, account, {}});
    }
    auto outcomes = engine.Process(commands);
    if (!outcomes.ok()) state.SkipWithError(outcomes.error().message.c_str());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_EngineIngest)->Arg(256);

void BM_CounterIncrement(benchmark::State& state) {
  telemetry::Registry registry;
  auto& counter = registry.GetCounter("c", "h");
  for (auto _ : state) counter.Increment();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterIncrement);

void BM_HistogramObserve(benchmark::State& state) {
  telemetry::Registry registry;
  auto& histogram = registry.GetHistogram("h", "h");
  double value = 0.0001;
  for (auto _ : state) {
    histogram.Observe(value);
    value = value > 5 ? 0.0001 : value * 1.7;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramObserve);

void BM_IdGenerator(benchmark::State& state) {
  core::IdGenerator ids(core::SystemClock::Instance(), 0);
  for (auto _ : state) benchmark::DoNotOptimize(ids.Next());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IdGenerator);

}  // namespace
}  // namespace parley

BENCHMARK_MAIN();
