#include "parley/http/server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>

#include "parley/telemetry/log.h"

namespace parley::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class HttpServer::Impl {
 public:
  Impl(HttpServer& owner_server, ServerOptions server_options, const Router& server_router,
       telemetry::Registry& registry)
      : owner(owner_server),
        options(std::move(server_options)),
        router(server_router),
        metrics(registry),
        acceptor(net::make_strand(io)),
        in_flight_gauge(
            metrics.GetGauge("parley_http_requests_in_flight", "HTTP requests being handled.")) {}

  void Accept();
  void Finished();  // a request completed

  HttpServer& owner;
  const ServerOptions options;
  const Router& router;
  telemetry::Registry& metrics;
  net::io_context io;
  // Keeps the threads running while a handler holds a request with no I/O pending on it (its
  // response comes later, from another thread); released when Stop's grace period ends.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::mutex idle_mutex;
  std::condition_variable idle_cv;
  telemetry::Gauge& in_flight_gauge;
};

// An upgraded connection: text messages both ways on the connection's strand, writes queued.
class WsSession final : public WebSocketConnection, public std::enable_shared_from_this<WsSession> {
 public:
  using Executor = beast::tcp_stream::executor_type;
  explicit WsSession(Executor executor) : executor_(std::move(executor)) {}

  void Send(std::string text) override {
    net::post(executor_, [self = shared_from_this(), text = std::move(text)]() mutable {
      if (self->closed_) return;
      self->queue_.push_back(std::move(text));
      self->Flush();
    });
  }

  // After what is queued has gone out (and after the handshake, when asked before it).
  void Close() override {
    net::post(executor_, [self = shared_from_this()] {
      self->close_requested_ = true;
      self->Flush();
    });
  }

  // Takes over the connection and completes the handshake for `request`.
  void Attach(beast::tcp_stream stream, bhttp::request<bhttp::string_body> request,
              WebSocketHandlers handlers) {
    handlers_ = std::move(handlers);
    stream.expires_never();
    ws_.emplace(std::move(stream));
    ws_->set_option(beast::websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_->set_option(
        beast::websocket::stream_base::decorator([](beast::websocket::response_type& response) {
          response.set(bhttp::field::server, "Parley");
        }));
    ws_->read_message_max(64 * 1024);
    ws_->async_accept(request, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Closed();
      self->accepted_ = true;
      self->Flush();
      self->Read();
    });
  }

 private:
  void Read() {
    ws_->async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->Closed();
      const std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (self->handlers_.on_message) {
        try {
          self->handlers_.on_message(text);
        } catch (const std::exception& e) {
          telemetry::LogError("http.websocket_handler_threw", {{"error", e.what()}});
        }
      }
      self->Read();
    });
  }

  void Flush() {
    if (!accepted_ || writing_ || closed_) return;
    if (queue_.empty()) {
      if (close_requested_ && !close_started_) {
        close_started_ = true;
        writing_ = true;
        ws_->async_close(beast::websocket::close_code::normal,
                         [self = shared_from_this()](beast::error_code) {
                           self->writing_ = false;
                           self->Closed();
                         });
      }
      return;
    }
    writing_ = true;
    ws_->text(true);
    ws_->async_write(net::buffer(queue_.front()),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       if (!self->queue_.empty()) self->queue_.pop_front();
                       if (ec) return self->Closed();
                       self->Flush();
                     });
  }

  void Closed() {
    if (closed_) return;
    closed_ = true;
    queue_.clear();
    if (handlers_.on_close) handlers_.on_close();
  }

  Executor executor_;
  std::optional<beast::websocket::stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
  WebSocketHandlers handlers_;
  std::deque<std::string> queue_;
  bool accepted_ = false;
  bool writing_ = false;
  bool closed_ = false;
  bool close_requested_ = false;
  bool close_started_ = false;
};

// One connection. Lives as long as an operation on it holds a reference.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server) {}

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    if (server_.stopping.load()) return Close();
    parser_.emplace();
    parser_->body_limit(static_cast<std::uint64_t>(server_.options.max_body_bytes));
    parser_->header_limit(64 * 1024);
    stream_.expires_after(server_.options.request_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return Close();
    }
    started_ = std::chrono::steady_clock::now();
    if (ec == bhttp::error::body_limit) {
      return Reply("(unrouted)", "", false,
                   ErrorResponse(413, "payload_too_large",
                                 "the body is larger than " +
                                     std::to_string(server_.options.max_body_bytes) + " bytes"),
                   false);
    }
    if (ec) {
      return Reply("(unrouted)", "", false,
                   ErrorResponse(400, "bad_request", "malformed HTTP request: " + ec.message()),
                   false);
    }
    auto& raw = parser_->get();
    HttpRequest request;
    request.method = std::string(raw.method_string());
    request.target = std::string(raw.target());
    const std::string_view target(raw.target().data(), raw.target().size());
    const std::size_t question = target.find('?');
    auto path = PercentDecode(target.substr(0, question));
    if (!path || path->empty() || path->front() != '/') {
      return Reply("(unrouted)", request.method, false,
                   ErrorResponse(400, "bad_request", "malformed request target"), false);
    }
    request.path = std::move(*path);
    if (question != std::string_view::npos) request.query = ParseQuery(target.substr(question + 1));
    for (const auto& field : raw) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers[std::move(name)] = std::string(field.value());
    }
    request.body = std::move(raw.body());
    beast::error_code endpoint_error;
    auto remote = stream_.socket().remote_endpoint(endpoint_error);
    if (!endpoint_error) request.remote_address = remote.address().to_string();
    const bool keep_alive = raw.keep_alive();
    const bool head = raw.method() == bhttp::verb::head;

    if (beast::websocket::is_upgrade(raw)) return Upgrade(request);

    {
      RouteParams ignored_params;
      std::string socket_route;
      if (server_.router.MatchWebSocket(request.path, ignored_params, socket_route) != nullptr) {
        HttpResponse response = ErrorResponse(
            426, "upgrade_required", request.path + " is a WebSocket endpoint: upgrade to it");
        response.headers.emplace_back("Upgrade", "websocket");
        return Reply(socket_route, request.method, head, std::move(response), keep_alive);
      }
    }
    RouteMatch match = server_.router.Match(request.method, request.path);
    if (match.handler == nullptr) {
      HttpResponse response =
          match.method_not_allowed
              ? ErrorResponse(405, "method_not_allowed",
                              request.method + " is not allowed here; use " + match.allowed_methods)
              : ErrorResponse(404, "not_found", "no such endpoint: " + request.path);
      if (match.method_not_allowed) response.headers.emplace_back("Allow", match.allowed_methods);
      return Reply("(unrouted)", request.method, head, std::move(response), keep_alive);
    }

    server_.owner.in_flight_.fetch_add(1);
    server_.in_flight_gauge.Add(1);
    counted_ = true;
    auto self = shared_from_this();
    auto name = match.name;
    auto method = request.method;
    Responder respond = [self, name, method, head, keep_alive](HttpResponse response) {
      net::post(self->stream_.get_executor(),
                [self, name, method, head, keep_alive, response = std::move(response)]() mutable {
                  self->Reply(name, method, head, std::move(response), keep_alive);
                });
    };
    try {
      (*match.handler)(request, match.params, std::move(respond));
    } catch (const std::exception& e) {
      telemetry::LogError("http.handler_threw", {{"route", name}, {"error", e.what()}});
      Reply(name, method, head, ErrorResponse(500, "internal", "internal error"), false);
    }
  }

  // A WebSocket handshake: the route accepts it (the connection leaves this session) or refuses
  // it with an HTTP answer.
  void Upgrade(const HttpRequest& request) {
    RouteParams params;
    std::string name;
    const WebSocketRoute* route = server_.router.MatchWebSocket(request.path, params, name);
    if (route == nullptr) {
      return Reply("(unrouted)", request.method, false,
                   ErrorResponse(404, "not_found", "no WebSocket endpoint at " + request.path),
                   false);
    }
    auto connection = std::make_shared<WsSession>(stream_.get_executor());
    std::variant<HttpResponse, WebSocketHandlers> decision;
    try {
      decision = (*route)(request, params, connection);
    } catch (const std::exception& e) {
      telemetry::LogError("http.handler_threw", {{"route", name}, {"error", e.what()}});
      decision = ErrorResponse(500, "internal", "internal error");
    }
    if (auto* refusal = std::get_if<HttpResponse>(&decision)) {
      return Reply(name, request.method, false, std::move(*refusal), false);
    }
    server_.metrics
        .GetCounter("parley_http_requests_total", "HTTP requests by route, method and status.",
                    {{"route", name}, {"method", request.method}, {"status", "101"}})
        .Increment();
    connection->Attach(std::move(stream_), parser_->release(),
                       std::get<WebSocketHandlers>(std::move(decision)));
  }

  void Reply(const std::string& route, const std::string& method, bool head, HttpResponse response,
             bool keep_alive) {
    if (replied_) return;  // a handler that threw after responding
    replied_ = true;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    server_.metrics
        .GetCounter(
            "parley_http_requests_total", "HTTP requests by route, method and status.",
            {{"route", route}, {"method", method}, {"status", std::to_string(response.status)}})
        .Increment();
    server_.metrics
        .GetHistogram("parley_http_request_duration_seconds", "HTTP request latency by route.",
                      {{"route", route}})
        .Observe(seconds);
    if (response.status >= 500) {
      telemetry::LogWarn("http.server_error",
                         {{"route", route}, {"status", response.status}, {"seconds", seconds}});
    }

    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->result(static_cast<unsigned>(response.status));
    out->version(11);
    out->set(bhttp::field::server, "Parley");
    out->set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) out->set(name, value);
    const bool stay = keep_alive && !server_.stopping.load();
    out->keep_alive(stay);
    const std::size_t length = response.body.size();
    if (!head) out->body() = std::move(response.body);
    out->content_length(length);
    if (head) out->set(bhttp::field::content_length, std::to_string(length));
    bhttp::async_write(stream_, *out,
                       [self = shared_from_this(), out, stay](beast::error_code ec, std::size_t) {
                         self->OnWritten(ec, stay);
                       });
  }

  void OnWritten(beast::error_code ec, bool stay) {
    if (counted_) {
      counted_ = false;
      server_.Finished();
    }
    replied_ = false;
    if (ec) return Close();
    if (!stay) return Linger();
    Read();
  }

  // Closes after an answer has gone out: the sending side first, then what the client is still
  // sending is read and dropped (for up to 2 s and 16 MiB) until it closes its side. Closing with
  // unread data would make the kernel reset the connection, and the client could lose the answer
  // before reading it (a 413 sent while the oversized body is still arriving).
  void Linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    drain_.resize(64 * 1024);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(drain_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > (std::size_t{16} << 20)) {
                                self->stream_.close();
                                return;
                              }
                              self->Drain();
                            });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  HttpServer::Impl& server_;
  std::chrono::steady_clock::time_point started_;
  bool counted_ = false;
  bool replied_ = false;
  std::vector<char> drain_;  // Linger's discard buffer
  std::size_t drained_ = 0;
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (stopping.load() || ec == net::error::operation_aborted) return;
      telemetry::LogWarn("http.accept_failed", {{"error", ec.message()}});
    } else {
      std::make_shared<Session>(std::move(socket), *this)->Start();
    }
    Accept();
  });
}

void HttpServer::Impl::Finished() {
  in_flight_gauge.Add(-1);
  if (owner.in_flight_.fetch_sub(1) == 1) {
    std::lock_guard lock(idle_mutex);
    idle_cv.notify_all();
  }
}

HttpServer::HttpServer(ServerOptions options, const Router& router, telemetry::Registry& metrics)
    : impl_(std::make_unique<Impl>(*this, std::move(options), router, metrics)) {}

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(0)); }

core::Status HttpServer::Start() {
  beast::error_code ec;
  const auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "server.host: not an IP address: " + impl_->options.host);
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(impl_->options.port));
  auto fail = [&](std::string_view what) {
    return core::MakeError(core::ErrorCode::kUnavailable,
                           std::string(what) + " " + impl_->options.host + ":" +
                               std::to_string(impl_->options.port) + ": " + ec.message());
  };
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("cannot open");
  impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  impl_->acceptor.bind(endpoint, ec);
  if (ec) return fail("cannot bind");
  impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on");
  bound_port_ = impl_->acceptor.local_endpoint().port();
  impl_->work.emplace(net::make_work_guard(impl_->io));
  impl_->Accept();
  for (int i = 0; i < impl_->options.threads; ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
  return core::Ok();
}

int HttpServer::Stop(std::chrono::milliseconds grace) {
  if (impl_->threads.empty()) return 0;
  impl_->stopping.store(true);
  net::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  {
    std::unique_lock lock(impl_->idle_mutex);
    impl_->idle_cv.wait_for(lock, grace, [this] { return in_flight_.load() == 0; });
  }
  const int unfinished = in_flight_.load();
  impl_->work.reset();
  impl_->io.stop();
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
  // The posted close may not have run before io.stop(); no thread is left to race with now.
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  return unfinished;
}

}  // namespace parley::http
