// The platforms as `parley demo`'s channel accounts reach them (PRODUCT.md C9.1): a sandbox on
// loopback that takes the X API v2 and Meta Graph calls Parley makes and answers each as the
// platform answers a call it accepts (a post's id, a DM event's id, a Messenger message id, a
// WhatsApp message id), and an SMTP server that accepts the mail of the email accounts, so that
// answers written in the demo, by people or by the simulated agents, are sent and show as sent.
// It checks the bearer token and the body's required fields, counts what it took, and logs each
// call; it delivers nothing anywhere. Only `parley demo` starts it, and only for accounts whose
// configuration names no API or SMTP server of their own.
//
// Thread-safety: Start and Stop from one thread; the counters from any.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "parley/config/config.h"
#include "parley/core/result.h"
#include "parley/http/router.h"
#include "parley/http/server.h"
#include "parley/telemetry/metrics.h"

namespace parley::cli {

class DemoSandbox {
 public:
  DemoSandbox();
  ~DemoSandbox();
  DemoSandbox(const DemoSandbox&) = delete;
  DemoSandbox& operator=(const DemoSandbox&) = delete;

  // Listens on 127.0.0.1, on a free port.
  core::Status Start();
  void Stop();

  // Points the X, Facebook, Instagram and WhatsApp accounts of `config` that name no API base
  // URL at the sandbox, with its token as their access token, and the email accounts that name
  // no SMTP server at its SMTP server. REQUIRES: Start() succeeded.
  void Connect(config::Config& config) const;

  std::string base_url() const;
  std::string smtp_url() const;
  // How many calls it took (answered as accepted).
  std::int64_t taken() const { return taken_.load(); }

 private:
  void AddRoutes();
  class Smtp;

  std::string token_;
  telemetry::Registry metrics_;
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;
  std::unique_ptr<Smtp> smtp_;
  std::atomic<std::int64_t> taken_{0};
  std::atomic<std::int64_t> next_id_{1'950'000'000'000'000'000};
};

}  // namespace parley::cli
