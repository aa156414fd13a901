#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "parley/app/application.h"
#include "parley/app/routes.h"
#include "parley/core/version.h"

namespace parley::app {

int HttpStatusFor(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::kInvalidArgument:
      return 400;
    case core::ErrorCode::kUnauthenticated:
      return 401;
    case core::ErrorCode::kPermissionDenied:
      return 403;
    case core::ErrorCode::kNotFound:
      return 404;
    case core::ErrorCode::kAlreadyExists:
    case core::ErrorCode::kConflict:
      return 409;
    case core::ErrorCode::kFailedPrecondition:
      return 422;
    case core::ErrorCode::kResourceExhausted:
      return 429;
    case core::ErrorCode::kUnavailable:
      return 503;
    case core::ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

http::HttpResponse ErrorFor(const core::Error& error) {
  // Internal details stay in the log; the client gets the code.
  const bool internal = error.code == core::ErrorCode::kInternal;
  return http::ErrorResponse(HttpStatusFor(error.code), core::ToString(error.code),
                             internal ? "internal error" : error.message);
}

void AddHealthRoutes(http::Router& router, RouteContext context) {
  Application& app = context.app;
  // Counting the inbox scans it, so one scrape counts once for both states (and at most once a
  // second however often it is scraped).
  struct CachedCounts {
    std::mutex mutex;
    std::chrono::steady_clock::time_point read_at;
    std::optional<storage::InboxCounts> counts;  // GUARDED_BY(mutex)
  };
  auto cache = std::make_shared<CachedCounts>();
  for (const auto state : {domain::PayloadState::kPending, domain::PayloadState::kDeadLetter}) {
    app.metrics().AddGaugeCallback(
        "parley_inbox_payloads", "Raw payloads in the inbox by state.",
        {{"state", std::string(domain::ToString(state))}}, [&app, cache, state] {
          std::lock_guard lock(cache->mutex);
          const auto now = std::chrono::steady_clock::now();
          if (!cache->counts || now - cache->read_at > std::chrono::seconds(1)) {
            auto counts = app.inbox().Counts();
            cache->counts =
                counts.ok() ? std::optional<storage::InboxCounts>(*counts) : std::nullopt;
            cache->read_at = now;
          }
          if (!cache->counts) return -1.0;
          return static_cast<double>(state == domain::PayloadState::kPending
                                         ? cache->counts->pending
                                         : cache->counts->dead_letters);
        });
  }
  app.metrics().AddGaugeCallback(
      "parley_uptime_seconds", "Seconds since the server started.", {},
      [&app] { return std::chrono::duration<double>(app.uptime()).count(); });

  router.AddSync("GET", "/healthz", [&app](const http::HttpRequest&, const http::RouteParams&) {
    nlohmann::json body;
    body["version"] = core::Version();
    body["uptime_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(app.uptime()).count();
    if (app.shutting_down()) {
      body["status"] = "stopping";
      return http::JsonResponse(503, body.dump());
    }
    auto counts = app.inbox().Counts();
    if (!counts.ok()) {
      body["status"] = "degraded";
      body["error"] = counts.error().ToString();
      return http::JsonResponse(503, body.dump());
    }
    body["status"] = "ok";
    body["inbox"] = {{"pending", counts->pending},
                     {"processed", counts->processed},
                     {"dead_letters", counts->dead_letters}};
    return http::JsonResponse(200, body.dump());
  });

  router.AddSync("GET", "/metrics", [&app](const http::HttpRequest&, const http::RouteParams&) {
    return http::TextResponse(200, app.metrics().RenderPrometheus(),
                              "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace parley::app
