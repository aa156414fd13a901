#include "parley/cli/demo_sandbox.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <istream>
#include <nlohmann/json.hpp>
#include <thread>

#include "parley/core/crypto.h"
#include "parley/telemetry/log.h"

namespace parley::cli {

using nlohmann::json;

namespace {

constexpr const char* kGraphVersion = "v21.0";

http::HttpResponse Json(int status, const json& body) {
  http::HttpResponse response;
  response.status = status;
  response.body = body.dump();
  return response;
}

// X's problem shape (application/problem+json) for a call it refuses.
http::HttpResponse XProblem(int status, const std::string& detail) {
  return Json(status, {{"title", status == 401 ? "Unauthorized" : "Invalid Request"},
                       {"detail", detail},
                       {"type", "about:blank"},
                       {"status", status}});
}

// Graph's error shape for a call it refuses.
http::HttpResponse GraphError(int status, int code, const std::string& message) {
  return Json(status, {{"error",
                        {{"message", message},
                         {"type", code == 190 ? "OAuthException" : "GraphMethodException"},
                         {"code", code}}}});
}

}  // namespace

// A mail server that accepts every message (RFC 5321's happy path: EHLO, MAIL, RCPT, DATA, QUIT)
// and keeps none. One thread; one session at a time is all the demo's outbox sends.
class DemoSandbox::Smtp {
 public:
  explicit Smtp(std::function<void(std::size_t)> taken) : taken_(std::move(taken)) {}
  ~Smtp() { Stop(); }

  core::Status Start() {
    namespace asio = boost::asio;
    boost::system::error_code ec;
    const asio::ip::tcp::endpoint at(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(at.protocol(), ec);
    if (!ec) acceptor_.bind(at, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return core::MakeError(core::ErrorCode::kUnavailable, "SMTP: " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
    return core::Ok();
  }
  void Stop() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }

 private:
  struct Session : std::enable_shared_from_this<Session> {
    Session(boost::asio::ip::tcp::socket s, Smtp& server) : socket(std::move(s)), owner(server) {}
    void Say(std::string reply, bool then_close = false) {
      auto self = shared_from_this();
      auto text = std::make_shared<std::string>(std::move(reply));
      boost::asio::async_write(socket, boost::asio::buffer(*text),
                               [self, text, then_close](boost::system::error_code ec, std::size_t) {
                                 if (ec || then_close) return self->Close();
                                 self->Listen();
                               });
    }
    void Listen() {
      auto self = shared_from_this();
      boost::asio::async_read_until(socket, input, "\r\n",
                                    [self](boost::system::error_code ec, std::size_t) {
                                      if (ec) return self->Close();
                                      std::istream in(&self->input);
                                      std::string line;
                                      std::getline(in, line);
                                      if (!line.empty() && line.back() == '\r') line.pop_back();
                                      self->Hear(line);
                                    });
    }
    void Hear(const std::string& line) {
      if (in_data) {
        if (line != ".") {
          size += line.size() + 2;
          return Listen();
        }
        in_data = false;
        owner.taken_(size);
        return Say("250 2.0.0 Ok: taken by the demo's sandbox, delivered nowhere\r\n");
      }
      std::string verb = line.substr(0, line.find(' '));
      for (char& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (verb == "EHLO")
        return Say("250-sandbox.parley.local\r\n250-8BITMIME\r\n250 SIZE 26214400\r\n");
      if (verb == "HELO" || verb == "MAIL" || verb == "RCPT" || verb == "RSET" || verb == "NOOP") {
        return Say("250 2.0.0 Ok\r\n");
      }
      if (verb == "DATA") {
        in_data = true;
        size = 0;
        return Say("354 End data with <CR><LF>.<CR><LF>\r\n");
      }
      if (verb == "QUIT") return Say("221 2.0.0 Bye\r\n", true);
      return Say("502 5.5.2 Not implemented in the demo's sandbox\r\n");
    }
    void Close() {
      boost::system::error_code ignored;
      socket.close(ignored);
    }
    boost::asio::ip::tcp::socket socket;
    Smtp& owner;
    boost::asio::streambuf input{64 * 1024};  // a line longer than this ends the session
    bool in_data = false;
    std::size_t size = 0;
  };

  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
      if (ec) return;
      auto session = std::make_shared<Session>(std::move(s), *this);
      session->Say("220 sandbox.parley.local ESMTP Parley demo sandbox\r\n");
      Accept();
    });
  }

  std::function<void(std::size_t)> taken_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  int port_ = 0;
  std::thread thread_;
};

DemoSandbox::DemoSandbox() : token_("sandbox-" + core::RandomHex(12)) { AddRoutes(); }

DemoSandbox::~DemoSandbox() { Stop(); }

core::Status DemoSandbox::Start() {
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 1;
  server_ = std::make_unique<http::HttpServer>(options, router_, metrics_);
  PARLEY_TRY(server_->Start());
  smtp_ = std::make_unique<Smtp>([this](std::size_t bytes) {
    taken_.fetch_add(1);
    telemetry::LogInfo("demo.sandbox_took",
                       {{"call", "smtp.mail"}, {"bytes", static_cast<std::int64_t>(bytes)}});
  });
  return smtp_->Start();
}

void DemoSandbox::Stop() {
  if (smtp_) smtp_->Stop();
  smtp_.reset();
  if (!server_) return;
  server_->Stop(std::chrono::milliseconds(500));
  server_.reset();
}

std::string DemoSandbox::base_url() const {
  return "http://127.0.0.1:" + std::to_string(server_ ? server_->port() : 0);
}

std::string DemoSandbox::smtp_url() const {
  return "smtp://127.0.0.1:" + std::to_string(smtp_ ? smtp_->port() : 0);
}

void DemoSandbox::Connect(config::Config& config) const {
  for (auto& account : config.channel_accounts) {
    if (account.kind == "email" && account.api_base_url.empty()) account.api_base_url = smtp_url();
    const bool x = account.kind == "x";
    const bool meta =
        account.kind == "facebook" || account.kind == "instagram" || account.kind == "whatsapp";
    if ((!x && !meta) || !account.api_base_url.empty()) continue;
    account.api_base_url = base_url() + (x ? "/x" : std::string("/graph/") + kGraphVersion);
    account.credentials["access_token"] = token_;
  }
}

void DemoSandbox::AddRoutes() {
  // Each call: the bearer token, a JSON body, and the fields the platform requires.
  auto checked = [this](const http::HttpRequest& request, bool graph,
                        json& body) -> std::optional<http::HttpResponse> {
    if (request.Header("authorization") != "Bearer " + token_) {
      return graph ? GraphError(401, 190, "Invalid OAuth access token.")
                   : XProblem(401, "Unauthorized");
    }
    body = json::parse(request.body.empty() ? std::string("{}") : request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return graph ? GraphError(400, 100, "The request body is not JSON.")
                   : XProblem(400, "The request body is not JSON.");
    }
    return std::nullopt;
  };
  auto taken = [this](std::string_view what, const std::string& id) {
    taken_.fetch_add(1);
    telemetry::LogInfo("demo.sandbox_took", {{"call", what}, {"id", id}});
  };
  auto next = [this] { return std::to_string(next_id_.fetch_add(1)); };

  // X API v2: a post (reply or quote), a DM, hiding a reply, a like.
  router_.AddSync("POST", "/x/2/tweets", [=](const http::HttpRequest& request, auto&) {
    json body;
    if (auto refused = checked(request, false, body)) return *refused;
    if (!body.contains("text") || !body["text"].is_string() || body["text"].empty()) {
      return XProblem(400, "text is required");
    }
    const std::string id = next();
    taken("x.post", id);
    return Json(201,
                {{"data", {{"id", id}, {"text", body["text"]}, {"edit_history_tweet_ids", {id}}}}});
  });
  router_.AddSync("POST", "/x/2/dm_conversations/with/{participant}/messages",
                  [=](const http::HttpRequest& request, const http::RouteParams& params) {
                    json body;
                    if (auto refused = checked(request, false, body)) return *refused;
                    if (!body.contains("text") || !body["text"].is_string()) {
                      return XProblem(400, "text is required");
                    }
                    const std::string id = next();
                    taken("x.dm", id);
                    return Json(201,
                                {{"data",
                                  {{"dm_conversation_id", params.at("participant") + "-sandbox"},
                                   {"dm_event_id", id}}}});
                  });
  router_.AddSync("PUT", "/x/2/tweets/{id}/hidden",
                  [=](const http::HttpRequest& request, const http::RouteParams& params) {
                    json body;
                    if (auto refused = checked(request, false, body)) return *refused;
                    taken("x.hide", params.at("id"));
                    return Json(200, {{"data", {{"hidden", body.value("hidden", true)}}}});
                  });
  router_.AddSync("POST", "/x/2/users/{id}/likes", [=](const http::HttpRequest& request, auto&) {
    json body;
    if (auto refused = checked(request, false, body)) return *refused;
    taken("x.like", body.value("tweet_id", std::string()));
    return Json(200, {{"data", {{"liked", true}}}});
  });

  // Meta Graph: a comment's reply (Facebook /comments, Instagram /replies), messages (Messenger
  // and Instagram DMs, private replies, WhatsApp), hiding, deleting and liking.
  const std::string graph = std::string("/graph/") + kGraphVersion;
  for (const char* edge : {"comments", "replies"}) {
    router_.AddSync("POST", graph + "/{target}/" + edge,
                    [=](const http::HttpRequest& request, const http::RouteParams& params) {
                      json body;
                      if (auto refused = checked(request, true, body)) return *refused;
                      if (!body.contains("message")) {
                        return GraphError(400, 100, "(#100) The parameter message is required");
                      }
                      const std::string id = params.at("target") + "_" + next();
                      taken("graph.comment", id);
                      return Json(200, {{"id", id}});
                    });
  }
  router_.AddSync(
      "POST", graph + "/{sender}/messages",
      [=](const http::HttpRequest& request, const http::RouteParams&) {
        json body;
        if (auto refused = checked(request, true, body)) return *refused;
        if (body.value("messaging_product", std::string()) == "whatsapp") {
          const std::string to = body.value("to", std::string());
          if (to.empty()) return GraphError(400, 100, "(#100) The parameter to is required");
          const std::string id = "wamid.sandbox" + next();
          taken("graph.whatsapp", id);
          return Json(200, {{"messaging_product", "whatsapp"},
                            {"contacts", {{{"input", to}, {"wa_id", to}}}},
                            {"messages", {{{"id", id}}}}});
        }
        if (!body.contains("recipient") || !body.contains("message")) {
          return GraphError(400, 100, "(#100) The parameters recipient and message are required");
        }
        const json& recipient = body["recipient"];
        const std::string id = "m_sandbox" + next();
        taken("graph.message", id);
        return Json(
            200, {{"recipient_id",
                   recipient.is_object() && recipient.contains("id") ? recipient["id"] : json("")},
                  {"message_id", id}});
      });
  for (const char* method : {"POST", "DELETE"}) {
    router_.AddSync(method, graph + "/{target}",
                    [=](const http::HttpRequest& request, const http::RouteParams& params) {
                      json body;
                      if (auto refused = checked(request, true, body)) return *refused;
                      taken(request.method == "DELETE" ? "graph.delete" : "graph.hide",
                            params.at("target"));
                      return Json(200, {{"success", true}});
                    });
  }
  router_.AddSync("POST", graph + "/{target}/likes",
                  [=](const http::HttpRequest& request, const http::RouteParams& params) {
                    json body;
                    if (auto refused = checked(request, true, body)) return *refused;
                    taken("graph.like", params.at("target"));
                    return Json(200, {{"success", true}});
                  });
}

}  // namespace parley::cli
