#include "parley/http/client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <type_traits>

#include "parley/core/version.h"

namespace parley::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

std::string_view ClientResponse::Header(std::string_view name) const {
  auto found = headers.find(std::string(name));
  return found == headers.end() ? std::string_view() : std::string_view(found->second);
}

core::Result<Url> ParseUrl(std::string_view url) {
  Url out;
  std::string_view rest;
  if (url.starts_with("https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "not an http(s) URL: '" + std::string(url) + "'");
  }
  auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.target.front() == '?') out.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "credentials in a URL are not accepted: put them in the account's "
                           "credentials");
  }
  auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    out.port = std::string(authority.substr(colon + 1));
  } else {
    out.host = std::string(authority);
    out.port = out.tls ? "443" : "80";
  }
  if (out.host.empty() || out.port.empty() ||
      out.port.find_first_not_of("0123456789") != std::string::npos) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "no host or a bad port in '" + std::string(url) + "'");
  }
  return out;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

namespace {

// One request and its response over `stream` (a tcp_stream or an ssl_stream over one), driven
// by the caller's io_context until done; `lowest` carries the deadline for all of it.
template <typename Stream>
class Exchange {
 public:
  Exchange(Stream& stream, beast::tcp_stream& lowest, bhttp::request<bhttp::string_body>& request)
      : stream_(stream), lowest_(lowest), request_(request) {
    parser_.body_limit(16 * 1024 * 1024);
  }

  void Start(const tcp::resolver::results_type& endpoints, std::chrono::milliseconds timeout) {
    lowest_.expires_after(timeout);
    lowest_.async_connect(endpoints, [this](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return Fail("connect: " + ec.message(), false);
      Handshake();
    });
  }

  ClientOutcome outcome;

 private:
  void Handshake() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      stream_.async_handshake(ssl::stream_base::client, [this](beast::error_code ec) {
        if (ec) return Fail("TLS handshake: " + ec.message(), false);
        Write();
      });
    } else {
      Write();
    }
  }
  void Write() {
    bhttp::async_write(stream_, request_, [this](beast::error_code ec, std::size_t) {
      if (ec) return Fail("write: " + ec.message(), true);
      bhttp::async_read(stream_, buffer_, parser_, [this](beast::error_code read_ec, std::size_t) {
        if (read_ec) return Fail("read: " + read_ec.message(), true);
        auto& message = parser_.get();
        ClientResponse response;
        response.status = static_cast<int>(message.result_int());
        for (const auto& field : message) {
          std::string name(field.name_string());
          for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          response.headers[name] = std::string(field.value());
        }
        response.body = std::move(message.body());
        outcome.response = std::move(response);
      });
    });
  }
  void Fail(std::string why, bool maybe_delivered) {
    outcome.error = std::move(why);
    outcome.maybe_delivered = maybe_delivered;
  }

  Stream& stream_;
  beast::tcp_stream& lowest_;
  bhttp::request<bhttp::string_body>& request_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::string_body> parser_;
};

}  // namespace

class HttpClient::Impl {
 public:
  Impl() : tls_(ssl::context::tls_client) {
    tls_.set_default_verify_paths();
    tls_.set_verify_mode(ssl::verify_peer);
  }
  ssl::context tls_;
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {}
HttpClient::~HttpClient() = default;

ClientOutcome HttpClient::Send(const ClientRequest& request) {
  ClientOutcome failed;
  auto url = ParseUrl(request.url);
  if (!url.ok()) {
    failed.error = url.error().message;
    return failed;
  }
  auto verb = bhttp::string_to_verb(request.method);
  if (verb == bhttp::verb::unknown) {
    failed.error = "unknown HTTP method '" + request.method + "'";
    return failed;
  }
  bhttp::request<bhttp::string_body> message(verb, url->target, 11);
  const bool default_port = url->port == (url->tls ? "443" : "80");
  message.set(bhttp::field::host, default_port ? url->host : url->host + ":" + url->port);
  message.set(bhttp::field::user_agent, "Parley/" + std::string(core::Version()));
  for (const auto& [name, value] : request.headers) message.set(name, value);
  message.body() = request.body;
  message.prepare_payload();

  net::io_context io;
  // Name resolution counts against the same deadline as the exchange.
  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  tcp::resolver resolver(io);
  net::steady_timer resolve_timer(io, request.timeout);
  beast::error_code ec = net::error::would_block;
  tcp::resolver::results_type endpoints;
  resolver.async_resolve(url->host, url->port,
                         [&](beast::error_code resolved_ec, tcp::resolver::results_type results) {
                           ec = resolved_ec;
                           endpoints = std::move(results);
                           resolve_timer.cancel();
                         });
  resolve_timer.async_wait([&](beast::error_code timer_ec) {
    if (!timer_ec) resolver.cancel();
  });
  io.run();
  io.restart();
  if (ec) {
    failed.error = "resolve " + url->host + ": " + ec.message();
    return failed;
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left <= std::chrono::milliseconds(0)) {
    failed.error = "resolve " + url->host + ": took the whole deadline";
    return failed;
  }
  if (url->tls) {
    beast::ssl_stream<beast::tcp_stream> stream(io, impl_->tls_);
    // SSL_set_tlsext_host_name, without the macro's C cast.
    if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 static_cast<void*>(url->host.data())) != 1) {
      failed.error = "TLS: cannot set the server name";
      return failed;
    }
    stream.set_verify_callback(ssl::host_name_verification(url->host));
    Exchange<beast::ssl_stream<beast::tcp_stream>> exchange(stream, beast::get_lowest_layer(stream),
                                                            message);
    exchange.Start(endpoints, left);
    io.run();
    return std::move(exchange.outcome);
  }
  beast::tcp_stream stream(io);
  Exchange<beast::tcp_stream> exchange(stream, stream, message);
  exchange.Start(endpoints, left);
  io.run();
  return std::move(exchange.outcome);
}

}  // namespace parley::http
