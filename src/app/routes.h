// The HTTP endpoints of the server, grouped by concern. Each group adds its routes to the router;
// the handlers are thin: they check the request, call into the layers below, and map the result
// to a response (errors through ErrorFor, the one table from error codes to HTTP statuses).
#pragma once

#include <string>
#include <string_view>

#include "parley/core/result.h"
#include "parley/http/router.h"

namespace parley::app {

class Application;

struct RouteContext {
  Application& app;
};

// The one table from error codes to HTTP statuses.
int HttpStatusFor(core::ErrorCode code);
http::HttpResponse ErrorFor(const core::Error& error);

// GET /healthz, GET /metrics.
void AddHealthRoutes(http::Router& router, RouteContext context);
// POST /webhooks/generic; GET and POST /webhooks/x and /webhooks/meta.
void AddWebhookRoutes(http::Router& router, RouteContext context);
// GET /* from `web_root` (empty: the web app built with this binary); added last.
void AddStaticRoutes(http::Router& router, std::string web_root);

// The web root used when the configuration names none.
std::string DefaultWebRoot();

// docs/openapi.yaml as JSON, built into the binary (generated: scripts/openapi_to_cc.py).
std::string_view OpenApiJson();

}  // namespace parley::app
