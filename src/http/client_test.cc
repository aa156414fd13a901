#include "parley/http/client.h"

#include <gtest/gtest.h>

#include <future>

#include "parley/http/server.h"

namespace parley::http {
namespace {

TEST(ParseUrlTest, SplitsSchemeHostPortAndTarget) {
  auto plain = ParseUrl("http://127.0.0.1:8081/2/tweets?x=1");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, "8081");
  EXPECT_EQ(plain->target, "/2/tweets?x=1");
  auto tls = ParseUrl("https://graph.facebook.com");
  ASSERT_TRUE(tls.ok());
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->port, "443");
  EXPECT_EQ(tls->target, "/");
  EXPECT_EQ(ParseUrl("https://api.x.com?q=1")->target, "/?q=1");
  EXPECT_FALSE(ParseUrl("ftp://x").ok());
  EXPECT_FALSE(ParseUrl("http://:80/").ok());
  EXPECT_FALSE(ParseUrl("http://host:port/").ok());
  EXPECT_FALSE(ParseUrl("https://user:secret@host/").ok());
}

TEST(UrlEncodeTest, KeepsUnreservedAndEscapesTheRest) {
  EXPECT_EQ(UrlEncode("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(UrlEncode("a b/c?d=é"), "a%20b%2Fc%3Fd%3D%C3%A9");
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.AddSync("POST", "/echo", [](const HttpRequest& request, const RouteParams&) {
      HttpResponse response =
          TextResponse(201, request.method + " " + request.target + " " +
                                std::string(request.Header("authorization")) + " " + request.body);
      response.headers.emplace_back("Retry-After", "7");
      return response;
    });
    router_.Add("POST", "/hang", [this](HttpRequest&, const RouteParams&, Responder respond) {
      std::lock_guard lock(mutex_);
      parked_.push_back(std::move(respond));
    });
    ServerOptions options;
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options, router_, metrics_);
    ASSERT_TRUE(server_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    {
      std::lock_guard lock(mutex_);
      for (auto& respond : parked_) respond(TextResponse(200, "late"));
    }
    server_->Stop(std::chrono::milliseconds(500));
  }

  Router router_;
  telemetry::Registry metrics_;
  std::unique_ptr<HttpServer> server_;
  std::string base_;
  std::mutex mutex_;
  std::vector<Responder> parked_;
  HttpClient client_;
};

TEST_F(ClientTest, SendsTheRequestAndReadsTheResponse) {
  ClientRequest request;
  request.method = "POST";
  request.url = base_ + "/echo?a=1";
  request.headers.emplace_back("Authorization", "Bearer t0ken");
  request.body = "{\"text\":\"hi\"}";
  auto outcome = client_.Send(request);
  ASSERT_TRUE(outcome.response.has_value()) << outcome.error;
  EXPECT_EQ(outcome.response->status, 201);
  EXPECT_EQ(outcome.response->body, "POST /echo?a=1 Bearer t0ken {\"text\":\"hi\"}");
  EXPECT_EQ(outcome.response->Header("retry-after"), "7");
}

TEST_F(ClientTest, AnUnreachableServerIsSafeToRetry) {
  const int port = server_->port();
  server_->Stop(std::chrono::milliseconds(100));
  ClientRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/echo";
  auto outcome = client_.Send(request);
  EXPECT_FALSE(outcome.response.has_value());
  EXPECT_FALSE(outcome.maybe_delivered);
  EXPECT_NE(outcome.error.find("connect"), std::string::npos) << outcome.error;
}

TEST_F(ClientTest, NoAnswerBeforeTheDeadlineMayHaveBeenDelivered) {
  ClientRequest request;
  request.method = "POST";
  request.url = base_ + "/hang";
  request.timeout = std::chrono::milliseconds(300);
  auto outcome = client_.Send(request);
  EXPECT_FALSE(outcome.response.has_value());
  EXPECT_TRUE(outcome.maybe_delivered);
  EXPECT_FALSE(outcome.error.empty());
}

TEST_F(ClientTest, RefusesWhatItCannotSend) {
  ClientRequest request;
  request.url = "mailto:someone";
  auto outcome = client_.Send(request);
  EXPECT_FALSE(outcome.response.has_value());
  EXPECT_FALSE(outcome.maybe_delivered);
  request.url = base_ + "/echo";
  request.method = "FETCH";
  EXPECT_NE(client_.Send(request).error.find("unknown HTTP method"), std::string::npos);
}

}  // namespace
}  // namespace parley::http
