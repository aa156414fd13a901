// The HTTP/1.1 server (Boost.Beast). Reads a request, routes it, and writes the handler's
// response; keeps connections alive; refuses oversized bodies (413) and malformed requests (400)
// with the one error shape; counts and times every request per route for /metrics.
//
// Thread-safety: Start and Stop from one thread; handlers run on the server's threads and may
// respond from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "parley/core/result.h"
#include "parley/http/router.h"
#include "parley/telemetry/metrics.h"

namespace parley::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: a free port, see HttpServer::port()
  int threads = 2;
  std::int64_t max_body_bytes = 1 << 20;
  std::chrono::seconds request_timeout{30};
};

class HttpServer {
 public:
  // `router` and `metrics` must outlive the server.
  HttpServer(ServerOptions options, const Router& router, telemetry::Registry& metrics);
  ~HttpServer();

  // Binds and starts serving. Fails with kUnavailable when the address cannot be bound.
  core::Status Start();
  // The bound port (the real one when options.port was 0). REQUIRES: Start() succeeded.
  int port() const { return bound_port_; }

  // Stops accepting, lets requests in flight finish for up to `grace`, then closes every
  // connection and joins the threads. Returns the number of requests still unfinished at the end
  // of the grace period (0 in a clean shutdown).
  int Stop(std::chrono::milliseconds grace);

  int in_flight() const { return in_flight_.load(); }

 private:
  class Impl;
  friend class Session;
  std::unique_ptr<Impl> impl_;
  int bound_port_ = 0;
  std::atomic<int> in_flight_{0};
};

}  // namespace parley::http
