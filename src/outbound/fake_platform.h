// A local stand-in for a platform API in tests: records every request and answers from a script
// (by default 200 with "{}"). Listens on 127.0.0.1, on a free port.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "parley/http/server.h"

namespace parley::outbound::testing {

struct RecordedRequest {
  std::string method;
  std::string target;
  std::string authorization;
  std::string content_type;
  nlohmann::json body;                         // null when there is none or it is not JSON
  std::map<std::string, std::string> headers;  // names in lower case
  std::string raw_body;
};

class FakePlatform {
 public:
  FakePlatform() {
    for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
      router_.Add(method, "/*",
                  [this](http::HttpRequest& request, const http::RouteParams&,
                         http::Responder respond) { Handle(request, respond); });
    }
    http::ServerOptions options;
    options.port = 0;
    server_ = std::make_unique<http::HttpServer>(options, router_, metrics_);
    if (!server_->Start().ok()) std::abort();
  }
  ~FakePlatform() { server_->Stop(std::chrono::milliseconds(200)); }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  void Answer(int status, std::string body,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::HttpResponse response = http::JsonResponse(status, std::move(body));
    response.headers = std::move(headers);
    std::lock_guard lock(mutex_);
    script_.push_back(std::move(response));
  }

  std::vector<RecordedRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void Handle(const http::HttpRequest& request, const http::Responder& respond) {
    http::HttpResponse response;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(
          {request.method, request.target, std::string(request.Header("authorization")),
           std::string(request.Header("content-type")),
           nlohmann::json::parse(request.body, nullptr, false), request.headers, request.body});
      if (requests_.back().body.is_discarded()) requests_.back().body = nullptr;
      if (script_.empty()) {
        response = http::JsonResponse(200, "{}");
      } else {
        response = std::move(script_.front());
        script_.pop_front();
      }
    }
    respond(std::move(response));
  }

  http::Router router_;
  telemetry::Registry metrics_;
  std::unique_ptr<http::HttpServer> server_;
  std::mutex mutex_;
  std::deque<http::HttpResponse> script_;  // GUARDED_BY(mutex_)
  std::vector<RecordedRequest> requests_;  // GUARDED_BY(mutex_)
};

}  // namespace parley::outbound::testing
