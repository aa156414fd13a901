#include "parley/http/server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>

namespace parley::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// A blocking client on one keep-alive connection.
class Client {
 public:
  explicit Client(int port) : stream_(io_) {
    stream_.connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  }
  bhttp::response<bhttp::string_body> Send(bhttp::verb method, const std::string& target,
                                           std::string body = "") {
    bhttp::request<bhttp::string_body> request(method, target, 11);
    request.set(bhttp::field::host, "127.0.0.1");
    request.body() = std::move(body);
    request.prepare_payload();
    bhttp::write(stream_, request);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(method == bhttp::verb::head);
    bhttp::read(stream_, buffer_, parser);
    return parser.release();
  }

 private:
  net::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.AddSync("GET", "/hello/{name}", [](const HttpRequest& request, const RouteParams& p) {
      return TextResponse(200, "hello " + p.at("name") + " " + request.Query("x").value_or(""));
    });
    router_.AddSync("POST", "/echo", [](const HttpRequest& request, const RouteParams&) {
      return TextResponse(200, request.body);
    });
    router_.Add("GET", "/slow", [this](HttpRequest&, const RouteParams&, Responder respond) {
      parked_.set_value(std::move(respond));  // answered later, from another thread
    });
    router_.AddSync("GET", "/throws", [](const HttpRequest&, const RouteParams&) -> HttpResponse {
      throw std::runtime_error("boom");
    });
    ServerOptions options;
    options.port = 0;
    options.max_body_bytes = 1024;
    server_ = std::make_unique<HttpServer>(options, router_, metrics_);
    ASSERT_TRUE(server_->Start().ok());
  }

  Router router_;
  telemetry::Registry metrics_;
  std::unique_ptr<HttpServer> server_;
  std::promise<Responder> parked_;
};

TEST_F(ServerTest, ServesRoutesOnAKeptAliveConnection) {
  Client client(server_->port());
  auto first = client.Send(bhttp::verb::get, "/hello/w%C3%B6rld?x=1");
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_EQ(first.body(), "hello wörld 1");
  auto second = client.Send(bhttp::verb::post, "/echo", "ping");
  EXPECT_EQ(second.body(), "ping");
  auto head = client.Send(bhttp::verb::head, "/hello/x");
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_TRUE(head.body().empty());
  EXPECT_NE(metrics_.RenderPrometheus().find(
                R"(parley_http_requests_total{route="/hello/{name}",method="GET",status="200"} 1)"),
            std::string::npos);
}

TEST_F(ServerTest, AnswersErrorsInTheOneShape) {
  Client client(server_->port());
  auto missing = client.Send(bhttp::verb::get, "/nope");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_EQ(missing.body(),
            R"({"error":{"code":"not_found","message":"no such endpoint: /nope"}})");
  auto wrong = client.Send(bhttp::verb::delete_, "/echo");
  EXPECT_EQ(wrong.result_int(), 405);
  EXPECT_EQ(wrong[bhttp::field::allow], "POST");
  auto threw = Client(server_->port()).Send(bhttp::verb::get, "/throws");
  EXPECT_EQ(threw.result_int(), 500);
}

TEST_F(ServerTest, RefusesOversizedBodies) {
  Client client(server_->port());
  auto response = client.Send(bhttp::verb::post, "/echo", std::string(5000, 'x'));
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_NE(response.body().find("payload_too_large"), std::string::npos);
}

TEST_F(ServerTest, StopWaitsForRequestsInFlight) {
  auto reply = std::async(std::launch::async, [this] {
    return Client(server_->port()).Send(bhttp::verb::get, "/slow");
  });
  Responder respond = parked_.get_future().get();
  EXPECT_EQ(server_->in_flight(), 1);
  auto stopped =
      std::async(std::launch::async, [this] { return server_->Stop(std::chrono::seconds(30)); });
  respond(TextResponse(200, "finally"));
  EXPECT_EQ(reply.get().body(), "finally");
  EXPECT_EQ(stopped.get(), 0);
}

}  // namespace
}  // namespace parley::http
