#include "parley/telemetry/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace parley::telemetry {
namespace {

TEST(Metrics, RendersThePrometheusTextFormat) {
  Registry registry;
  registry
      .GetCounter("parley_http_requests_total", "HTTP requests.",
                  {{"route", "/healthz"}, {"status", "200"}})
      .Increment(3);
  registry.GetGauge("parley_inbox_pending", "Payloads waiting.").Set(7);
  registry.AddGaugeCallback("parley_up", "Always 1.", {}, [] { return 1.0; });
  auto& latency = registry.GetHistogram("parley_http_request_duration_seconds", "Latency.",
                                        {{"route", "/healthz"}}, {0.01, 0.1});
  latency.Observe(0.005);
  latency.Observe(0.05);
  latency.Observe(3);

  const std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE parley_http_requests_total counter\n"
                      "parley_http_requests_total{route=\"/healthz\",status=\"200\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("parley_inbox_pending 7\n"), std::string::npos);
  EXPECT_NE(text.find("parley_up 1\n"), std::string::npos);
  EXPECT_NE(
      text.find("parley_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.01\"} 1\n"
                "parley_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.1\"} 2\n"
                "parley_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 3\n"
                "parley_http_request_duration_seconds_sum{route=\"/healthz\"} 3.055\n"
                "parley_http_request_duration_seconds_count{route=\"/healthz\"} 3\n"),
      std::string::npos)
      << text;
}

TEST(Metrics, EscapesLabelValues) {
  EXPECT_EQ(RenderLabels({{"path", "a\"b\\c\nd"}}), "{path=\"a\\\"b\\\\c\\nd\"}");
}

TEST(Metrics, SameNameAndLabelsIsTheSameMetric) {
  Registry registry;
  Counter& a = registry.GetCounter("c", "h", {{"x", "1"}});
  Counter& b = registry.GetCounter("c", "h", {{"x", "1"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &registry.GetCounter("c", "h", {{"x", "2"}}));
}

TEST(Metrics, CountersAreThreadSafe) {
  Registry registry;
  Counter& counter = registry.GetCounter("c", "h");
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) counter.Increment();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), 40'000u);
}

}  // namespace
}  // namespace parley::telemetry
