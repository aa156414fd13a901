// `parley bench ingest|inbox|store|api`: figures for the write paths, each next to a bare baseline
// measured in the same run so that the ratio holds on a noisy machine, and for the API's inbox
// list under a steady request rate.
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "parley/app/application.h"
#include "parley/cli/commands.h"
#include "parley/core/crypto.h"
#include "parley/http/client.h"
#include "parley/sqlite/sqlite_inbox.h"
#include "parley/sqlite/sqlite_store.h"

namespace parley::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  return values[index];
}

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = fs::temp_directory_path() / ("parley-bench-" + std::to_string(random()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A tweet-sized JSON payload, different each time.
std::string SamplePayload(int i) {
  return R"({"id":")" + std::to_string(1'800'000'000'000'000'000LL + i) +
         R"(","kind":"post","text":"@AcmeAir flight AC)" + std::to_string(100 + i % 900) +
         R"( delayed 3 hours and nobody at the gate can tell us anything. Rebooking link is broken too. #fail","author":{"id":")" +
         std::to_string(10'000 + i % 50'000) + R"(","handle":"traveller)" +
         std::to_string(i % 50'000) + R"(","name":"A Traveller","followers":)" +
         std::to_string(i % 100'000) +
         R"(},"created_at":"2026-11-23T04:35:42Z","lang":"en","metrics":{"likes":3,"reposts":1}})";
}

// Appends `count` payloads from `producers` threads, each waiting for its durable
// acknowledgement as a webhook delivery would; returns every acknowledgement's latency in ms.
std::vector<double> AppendConcurrently(storage::RawInbox& inbox, int producers, int count,
                                       domain::ChannelKind channel,
                                       domain::ChannelAccountId account,
                                       const std::function<std::string(int)>& body) {
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(producers));
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(producers));
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = next++; i < count; i = next++) {
        storage::RawPayload payload;
        payload.channel = channel;
        payload.account_id = account;
        payload.source = "bench";
        payload.body = body(i);
        payload.received_at = core::SystemClock::Instance().Now();
        const auto t0 = Clock::now();
        auto id = storage::AppendAndWait(inbox, std::move(payload));
        if (!id.ok()) throw std::runtime_error(id.error().ToString());
        latencies[static_cast<std::size_t>(p)].push_back(Seconds(Clock::now() - t0) * 1000);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  return all;
}

nlohmann::json BenchInbox(int count) {
  TempDir dir;
  const int producers = 32;  // concurrent webhook deliveries
  auto inbox =
      sqlite::SqliteInbox::Open((dir.path() / "inbox.db").string(), core::SystemClock::Instance());
  if (!inbox.ok()) throw std::runtime_error(inbox.error().ToString());

  const auto started = Clock::now();
  std::vector<double> all =
      AppendConcurrently(**inbox, producers, count, domain::ChannelKind::kGeneric,
                         domain::ChannelAccountId(1), SamplePayload);
  const double elapsed = Seconds(Clock::now() - started);
  const auto stats = (*inbox)->stats();

  // Baseline: the same payloads, one fsync'd transaction each, from one thread.
  const int baseline_count = std::min(count, 2000);
  auto db =
      sqlite::Database::Open((dir.path() / "baseline.db").string(), sqlite::Durability::kFull);
  if (!db.ok() || !db->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)").ok()) {
    throw std::runtime_error("baseline database");
  }
  auto insert = db->Prepare("INSERT INTO t (body) VALUES (?)");
  const auto baseline_started = Clock::now();
  for (int i = 0; i < baseline_count; ++i) {
    (void)db->Exec("BEGIN");
    insert->BindBlob(1, SamplePayload(i));
    (void)insert->Run();
    (void)db->Exec("COMMIT");
  }
  const double baseline_elapsed = Seconds(Clock::now() - baseline_started);

  nlohmann::json out;
  out["benchmark"] = "inbox";
  out["payloads"] = count;
  out["producers"] = producers;
  out["appends_per_second"] = count / elapsed;
  out["p50_ack_ms"] = Percentile(all, 0.50);
  out["p99_ack_ms"] = Percentile(all, 0.99);
  out["commits"] = stats.commits;
  out["mean_batch"] = static_cast<double>(stats.appended) / static_cast<double>(stats.commits);
  out["commit_per_payload_per_second"] = baseline_count / baseline_elapsed;
  out["group_commit_speedup"] = (count / elapsed) / (baseline_count / baseline_elapsed);
  return out;
}

nlohmann::json BenchStore(int count) {
  TempDir dir;
  const core::Clock& clock = core::SystemClock::Instance();
  core::IdGenerator ids(clock, 1);
  constexpr int kBatch = 500;

  std::vector<domain::Message> messages;
  messages.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    domain::Message m;
    m.id = ids.NextId<domain::MessageId>();
    m.workspace_id = domain::WorkspaceId(1);
    m.conversation_id = domain::ConversationId(1'000'000 + i / 3);
    m.channel_account_id = domain::ChannelAccountId(1);
    m.channel = domain::ChannelKind::kX;
    m.platform_message_id = std::to_string(1'800'000'000'000'000'000LL + i);
    m.author = {std::to_string(10'000 + i % 50'000), "@traveller", "A Traveller", i % 100'000,
                false};
    m.text = "@AcmeAir flight delayed 3 hours and nobody at the gate can tell us anything.";
    m.published_at = clock.Now();
    m.received_at = m.published_at;
    messages.push_back(std::move(m));
  }

  auto store = sqlite::SqliteStore::Open((dir.path() / "parley.db").string(), clock);
  if (!store.ok()) throw std::runtime_error(store.error().ToString());
  const auto started = Clock::now();
  for (int i = 0; i < count; i += kBatch) {
    storage::WriteBatch batch;
    for (int j = i; j < std::min(count, i + kBatch); ++j)
      batch.Put(messages[static_cast<std::size_t>(j)]);
    if (auto status = (*store)->Apply(batch); !status.ok()) {
      throw std::runtime_error(status.error().ToString());
    }
  }
  const double elapsed = Seconds(Clock::now() - started);

  // Bare: the same rows and indexes, inserted by a minimal loop with pre-encoded documents.
  auto db = sqlite::Database::Open((dir.path() / "bare.db").string(), sqlite::Durability::kNormal);
  if (!db.ok()) throw std::runtime_error("bare database");
  (void)db->Exec(
      "CREATE TABLE messages (id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, "
      "conversation_id INTEGER NOT NULL, channel_account_id INTEGER NOT NULL, platform_id TEXT, "
      "published_at INTEGER NOT NULL, doc TEXT NOT NULL, in_reply_to TEXT);"
      "CREATE UNIQUE INDEX m1 ON messages (channel_account_id, platform_id);"
      "CREATE INDEX m2 ON messages (conversation_id, published_at, id);"
      "CREATE INDEX m3 ON messages (workspace_id, id);"
      "CREATE INDEX m4 ON messages (channel_account_id, in_reply_to) WHERE in_reply_to IS NOT "
      "NULL;");
  std::vector<std::string> docs;
  docs.reserve(messages.size());
  for (const auto& m : messages) docs.push_back(domain::EncodeJson(m));
  auto insert = db->Prepare(
      "INSERT INTO messages (id, workspace_id, conversation_id, channel_account_id, platform_id, "
      "published_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) throw std::runtime_error(insert.error().ToString());
  const auto bare_started = Clock::now();
  for (int i = 0; i < count; i += kBatch) {
    (void)db->Exec("BEGIN");
    for (int j = i; j < std::min(count, i + kBatch); ++j) {
      const auto& m = messages[static_cast<std::size_t>(j)];
      insert->Bind(1, m.id.value())
          .Bind(2, m.workspace_id.value())
          .Bind(3, m.conversation_id.value())
          .Bind(4, m.channel_account_id.value())
          .Bind(5, m.platform_message_id)
          .Bind(6, core::ToMillis(m.published_at))
          .Bind(7, docs[static_cast<std::size_t>(j)]);
      (void)insert->Run();
    }
    (void)db->Exec("COMMIT");
  }
  const double bare_elapsed = Seconds(Clock::now() - bare_started);

  nlohmann::json out;
  out["benchmark"] = "store";
  out["messages"] = count;
  out["batch"] = kBatch;
  out["messages_per_second"] = count / elapsed;
  out["bare_insert_per_second"] = count / bare_elapsed;
  out["ratio"] = bare_elapsed / elapsed;
  return out;
}

// An X API v2 mention as the polling connector or an import would carry it: one post with its
// author expanded. About a third are replies to an earlier mention.
std::string XMention(int i) {
  const int author = 10'000 + (i * 7919) % 50'000;
  nlohmann::json post = {
      {"id", std::to_string(1'800'000'000'000'000'000LL + i)},
      {"author_id", std::to_string(author)},
      {"conversation_id", std::to_string(1'800'000'000'000'000'000LL + i - i % 3)},
      {"created_at", "2026-11-23T04:35:42.000Z"},
      {"lang", "en"},
      {"text", "@AcmeAir flight AC" + std::to_string(100 + i % 900) +
                   " delayed 3 hours and nobody at the gate can tell us anything. Rebooking "
                   "link is broken too. #fail"},
      {"public_metrics", {{"like_count", i % 17}, {"retweet_count", i % 5}, {"reply_count", 1}}}};
  if (i % 3 != 0) {
    post["referenced_tweets"] = {
        {{"type", "replied_to"}, {"id", std::to_string(1'800'000'000'000'000'000LL + i - 1)}}};
  }
  nlohmann::json body = {
      {"data", post},
      {"includes",
       {{"users",
         {{{"id", std::to_string(author)},
           {"username", "traveller" + std::to_string(author)},
           {"name", "A Traveller"},
           {"public_metrics", {{"followers_count", (author * 37) % 100'000}}}}}}}}};
  return body.dump();
}

// End to end: payloads appended to the durable inbox by concurrent producers (as webhook
// deliveries would be), parsed, threaded by the engine and written to the store; against a bare
// loop inserting the same message rows into the same database.
nlohmann::json BenchIngest(int count, const std::optional<std::string>& input, int producers) {
  TempDir dir;
  std::vector<std::string> payloads;
  if (input) {
    std::ifstream in(*input);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) payloads.push_back(line);
    }
    count = static_cast<int>(payloads.size());
  } else {
    payloads.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) payloads.push_back(XMention(i));
  }

  auto config = config::ParseConfig(R"(
[[workspaces]]
slug = "bench"
[[channel_accounts]]
workspace = "bench"
kind = "x"
platform_account_id = "1"
credentials = { consumer_secret = "bench" }
)",
                                    [](std::string_view) { return std::nullopt; });
  if (!config.ok()) throw std::runtime_error(config.error().ToString());
  config->storage.data_dir = dir.path().string();
  config->log.level = "warn";
  auto app = app::Application::Open(*config, core::SystemClock::Instance());
  if (!app.ok()) throw std::runtime_error(app.error().ToString());
  auto account = (*app)->directory().AccountsOfKind(domain::ChannelKind::kX).at(0);
  (*app)->processor().Start(std::chrono::milliseconds(50));

  const auto started = Clock::now();
  std::vector<double> all =
      AppendConcurrently((*app)->inbox(), producers, count, domain::ChannelKind::kX, account.id,
                         [&payloads](int i) { return payloads[static_cast<std::size_t>(i)]; });
  while (true) {
    auto counts = (*app)->inbox().Counts();
    if (!counts.ok()) throw std::runtime_error(counts.error().ToString());
    if (counts->pending == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a benchmark, not a test
  }
  const double elapsed = Seconds(Clock::now() - started);
  auto messages =
      (*app)->store().CountDocuments(storage::EntityKind::kMessage, domain::WorkspaceId());
  auto conversations =
      (*app)->store().CountDocuments(storage::EntityKind::kConversation, domain::WorkspaceId());
  auto dead = (*app)->inbox().Counts();
  (*app)->Shutdown();

  // Bare: the same message rows, pre-encoded, into a table like `messages` in the same database.
  auto db =
      sqlite::Database::Open((dir.path() / "parley.db").string(), sqlite::Durability::kNormal);
  if (!db.ok()) throw std::runtime_error("bare database");
  (void)db->Exec(
      "CREATE TABLE bare_messages (id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, "
      "conversation_id INTEGER NOT NULL, channel_account_id INTEGER NOT NULL, platform_id TEXT, "
      "published_at INTEGER NOT NULL, doc TEXT NOT NULL, in_reply_to TEXT);"
      "CREATE UNIQUE INDEX b1 ON bare_messages (channel_account_id, platform_id);"
      "CREATE INDEX b2 ON bare_messages (conversation_id, published_at, id);"
      "CREATE INDEX b3 ON bare_messages (workspace_id, id);"
      "CREATE INDEX b4 ON bare_messages (channel_account_id, in_reply_to) WHERE in_reply_to IS "
      "NOT NULL;");
  auto rows = db->Prepare(
      "SELECT id, workspace_id, conversation_id, channel_account_id, "
      "platform_id, published_at, doc, in_reply_to FROM messages");
  struct Row {
    std::int64_t id, workspace, conversation, account, published;
    std::string platform, doc, reply;
  };
  std::vector<Row> copy;
  while (rows->Step().ok() && !rows->ColumnIsNull(0)) {
    copy.push_back({rows->ColumnInt(0), rows->ColumnInt(1), rows->ColumnInt(2), rows->ColumnInt(3),
                    rows->ColumnInt(5), rows->ColumnText(4), rows->ColumnText(6),
                    rows->ColumnText(7)});
  }
  rows = db->Prepare("SELECT 1");
  auto insert = db->Prepare("INSERT INTO bare_messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) throw std::runtime_error(insert.error().ToString());
  const auto bare_started = Clock::now();
  constexpr std::size_t kBatch = 500;
  for (std::size_t i = 0; i < copy.size(); i += kBatch) {
    (void)db->Exec("BEGIN");
    for (std::size_t j = i; j < std::min(copy.size(), i + kBatch); ++j) {
      const Row& r = copy[j];
      insert->Bind(1, r.id).Bind(2, r.workspace).Bind(3, r.conversation).Bind(4, r.account);
      insert->Bind(5, r.platform).Bind(6, r.published).Bind(7, r.doc);
      if (r.reply.empty()) {
        insert->BindNull(8);
      } else {
        insert->Bind(8, r.reply);
      }
      (void)insert->Run();
    }
    (void)db->Exec("COMMIT");
  }
  const double bare_elapsed = Seconds(Clock::now() - bare_started);

  nlohmann::json out;
  out["benchmark"] = "ingest";
  out["mentions"] = count;
  out["producers"] = producers;
  out["messages_stored"] = messages.ok() ? *messages : -1;
  out["conversations_stored"] = conversations.ok() ? *conversations : -1;
  out["dead_letters"] = dead.ok() ? dead->dead_letters : -1;
  out["mentions_per_second"] = count / elapsed;
  out["bare_insert_per_second"] = static_cast<double>(copy.size()) / bare_elapsed;
  out["ratio"] = (count / elapsed) / (static_cast<double>(copy.size()) / bare_elapsed);
  out["p50_ack_ms"] = Percentile(all, 0.50);
  out["p99_ack_ms"] = Percentile(all, 0.99);
  return out;
}

// The API's inbox list (50 conversations, by priority) with `count` conversations stored, at a
// steady `rate` of requests a second for `seconds` (an open loop: each request is timed from when
// it was due, so a slow answer delays no later measurement). One request in five asks for the
// second page, as agents scroll.
// Webhook to WebSocket: mentions posted to /webhooks/generic at `rate` a second, each timed from
// when it was due until its message.created event reaches a WebSocket client of the API.
nlohmann::json WebhookToSocket(int port, const std::string& token, int rate, int seconds) {
  namespace beast = boost::beast;
  namespace net = boost::asio;
  using tcp = net::ip::tcp;
  net::io_context io;
  beast::websocket::stream<beast::tcp_stream> ws(io);
  beast::get_lowest_layer(ws).connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  ws.set_option(
      beast::websocket::stream_base::decorator([&token](beast::websocket::request_type& request) {
        request.set(beast::http::field::authorization, "Bearer " + token);
      }));
  ws.handshake("127.0.0.1:" + std::to_string(port), "/api/v1/events");

  const int total = rate * seconds;
  std::vector<Clock::time_point> due(static_cast<std::size_t>(total));
  std::vector<double> latencies(static_cast<std::size_t>(total), -1);
  std::atomic<int> received{0};
  std::thread reader([&] {
    beast::flat_buffer buffer;
    beast::error_code ec;
    while (received.load() < total) {
      ws.read(buffer, ec);
      if (ec) return;
      const auto at = Clock::now();
      auto message = nlohmann::json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
      buffer.consume(buffer.size());
      if (!message.is_object() || message.value("event", std::string()) != "message.created") {
        continue;
      }
      const std::string id = message["data"].value("platform_message_id", std::string());
      if (!id.starts_with("lat-")) continue;
      const auto i = static_cast<std::size_t>(std::stoi(id.substr(4)));
      if (i < latencies.size()) {
        latencies[i] = std::chrono::duration<double, std::milli>(at - due[i]).count();
        received.fetch_add(1);
      }
    }
  });

  const auto start = Clock::now() + std::chrono::milliseconds(100);
  const auto interval = std::chrono::nanoseconds(1'000'000'000LL / rate);
  for (int i = 0; i < total; ++i) due[static_cast<std::size_t>(i)] = start + interval * i;
  std::atomic<int> next{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> senders;
  for (int w = 0; w < 8; ++w) {
    senders.emplace_back([&] {
      http::HttpClient client;
      while (true) {
        const int i = next.fetch_add(1);
        if (i >= total) return;
        std::this_thread::sleep_until(due[static_cast<std::size_t>(i)]);
        const std::string body =
            R"({"id":"lat-)" + std::to_string(i) +
            R"(","kind":"review","text":"Still waiting for my refund","author":{"id":"c)" +
            std::to_string(i % 5000) + R"(","handle":"c)" + std::to_string(i % 5000) + R"("}})";
        http::ClientRequest request;
        request.method = "POST";
        request.url =
            "http://127.0.0.1:" + std::to_string(port) + "/webhooks/generic?account=bench-reviews";
        request.headers.emplace_back("Content-Type", "application/json");
        request.headers.emplace_back("X-Parley-Signature",
                                     "sha256=" + core::ToHex(core::HmacSha256("bench", body)));
        request.body = body;
        auto outcome = client.Send(request);
        if (!outcome.response || outcome.response->status != 202) errors.fetch_add(1);
      }
    });
  }
  for (auto& sender : senders) sender.join();
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (received.load() < total - errors.load() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a benchmark, not a test
  }
  beast::error_code ignored;
  beast::get_lowest_layer(ws).socket().shutdown(tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws).close();
  reader.join();
  std::vector<double> seen;
  for (double l : latencies) {
    if (l >= 0) seen.push_back(l);
  }
  nlohmann::json out;
  out["rate"] = rate;
  out["mentions"] = total;
  out["events_received"] = static_cast<int>(seen.size());
  out["webhook_errors"] = errors.load();
  out["p50_ms"] = Percentile(seen, 0.50);
  out["p99_ms"] = Percentile(seen, 0.99);
  out["max_ms"] = Percentile(seen, 1.0);
  return out;
}

nlohmann::json BenchApi(int count, int rate, int seconds) {
  TempDir dir;
  auto config = config::ParseConfig(
      "[[workspaces]]\nslug = \"bench\"\n[[channel_accounts]]\nworkspace = \"bench\"\n"
      "kind = \"generic\"\nplatform_account_id = \"bench-reviews\"\n"
      "credentials = { secret = \"bench\" }\n",
      [](std::string_view) { return std::nullopt; });
  if (!config.ok()) throw std::runtime_error(config.error().ToString());
  config->storage.data_dir = dir.path().string();
  config->log.level = "warn";
  config->server.port = 0;
  config->server.threads = 2;
  auto app = app::Application::Open(*config, core::SystemClock::Instance());
  if (!app.ok()) throw std::runtime_error(app.error().ToString());
  auto& store = (*app)->store();
  const auto workspace = (*app)->directory().Workspaces().at(0).id;

  // The conversations: a busy brand's history, a tenth of it open.
  const core::Clock& clock = core::SystemClock::Instance();
  core::IdGenerator ids(clock, 2);
  std::mt19937_64 random(42);
  const auto fill_started = Clock::now();
  const auto now = clock.Now();
  constexpr int kBatch = 5000;
  for (int done = 0; done < count;) {
    storage::WriteBatch batch;
    for (int i = 0; i < kBatch && done < count; ++i, ++done) {
      domain::Conversation c;
      c.id = ids.NextId<domain::ConversationId>();
      c.workspace_id = workspace;
      c.customer_id = domain::CustomerId(1 + static_cast<std::int64_t>(random() % 400'000));
      c.status = done % 10 == 0 ? domain::ConversationStatus::kQueued
                                : domain::ConversationStatus::kClosed;
      c.priority = static_cast<int>(random() % 101);
      c.channels = {domain::ChannelKind::kX};
      c.opened_at = now - std::chrono::minutes(static_cast<int>(random() % 100'000));
      c.updated_at = c.opened_at;
      if (random() % 2 == 0) c.sla.first_response_due = c.opened_at + std::chrono::minutes(15);
      c.message_count = 1 + static_cast<int>(random() % 6);
      batch.Put(c);
    }
    if (auto status = store.Apply(batch); !status.ok()) {
      throw std::runtime_error(status.error().ToString());
    }
  }
  const double fill_seconds = Seconds(Clock::now() - fill_started);

  auto admin = (*app)->accounts().CreateUser("bench@parley.local", "Bench", domain::Role::kAdmin,
                                             core::RandomHex(12));
  if (!admin.ok()) throw std::runtime_error(admin.error().ToString());
  auto token = (*app)->accounts().CreateToken(admin->id, "bench");
  if (!token.ok()) throw std::runtime_error(token.error().ToString());
  if (auto started = (*app)->Start(); !started.ok()) {
    throw std::runtime_error(started.error().ToString());
  }
  const std::string base =
      "http://127.0.0.1:" + std::to_string((*app)->port()) +
      "/api/v1/conversations?limit=50&status=queued&workspace=" + workspace.ToString();
  http::HttpClient client;
  auto request_for = [&](const std::string& cursor) {
    http::ClientRequest request;
    request.url = base + (cursor.empty() ? "" : "&cursor=" + http::UrlEncode(cursor));
    request.headers.emplace_back("Authorization", "Bearer " + token->secret);
    return request;
  };
  // The second page's cursor, from a first request.
  std::string second_page;
  {
    auto first = client.Send(request_for(""));
    if (!first.response || first.response->status != 200) {
      throw std::runtime_error("the inbox list failed: " +
                               (first.response ? first.response->body : first.error));
    }
    auto body = nlohmann::json::parse(first.response->body);
    if (body["items"].size() != 50) throw std::runtime_error("expected 50 conversations a page");
    if (body["next_cursor"].is_string()) second_page = body["next_cursor"].get<std::string>();
  }

  const int total = rate * seconds;
  const int workers = std::max(4, rate / 50);
  std::vector<double> latencies(static_cast<std::size_t>(total));
  std::atomic<int> next{0};
  std::atomic<int> errors{0};
  const auto start = Clock::now() + std::chrono::milliseconds(100);
  const auto interval = std::chrono::nanoseconds(1'000'000'000LL / rate);
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      http::HttpClient own;
      while (true) {
        const int i = next.fetch_add(1);
        if (i >= total) return;
        const auto due = start + interval * i;
        std::this_thread::sleep_until(due);
        auto outcome = own.Send(request_for(i % 5 == 4 ? second_page : ""));
        if (!outcome.response || outcome.response->status != 200) errors.fetch_add(1);
        latencies[static_cast<std::size_t>(i)] =
            std::chrono::duration<double, std::milli>(Clock::now() - due).count();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double elapsed = Seconds(Clock::now() - start);
  auto live = WebhookToSocket((*app)->port(), token->secret, 1000, 10);
  (*app)->Shutdown();

  nlohmann::json out;
  out["benchmark"] = "api";
  out["conversations"] = count;
  out["fill_seconds"] = fill_seconds;
  out["requests"] = total;
  out["target_rate"] = rate;
  out["achieved_rate"] = total / elapsed;
  out["errors"] = errors.load();
  out["p50_ms"] = Percentile(latencies, 0.50);
  out["p99_ms"] = Percentile(latencies, 0.99);
  out["max_ms"] = Percentile(latencies, 1.0);
  out["webhook_to_websocket"] = live;
  return out;
}

}  // namespace

nlohmann::json BenchTriage(int count);  // triage_bench.cc
nlohmann::json BenchRoute(int count);   // simulate_command.cc

int RunBench(const BenchOptions& options) {
  nlohmann::json result;
  try {
    if (options.what == "inbox") {
      result = BenchInbox(options.count > 0 ? options.count : 50'000);
    } else if (options.what == "ingest") {
      result = BenchIngest(options.count > 0 ? options.count : 1'000'000, options.input,
                           options.producers);
    } else if (options.what == "triage") {
      result = BenchTriage(options.count > 0 ? options.count : 300'000);
    } else if (options.what == "route") {
      result = BenchRoute(options.count > 0 ? options.count : 500'000);
    } else if (options.what == "api") {
      result = BenchApi(options.count > 0 ? options.count : 1'000'000, 200, 15);
    } else {
      result = BenchStore(options.count > 0 ? options.count : 200'000);
    }
  } catch (const std::exception& e) {
    std::cerr << "parley: bench failed: " << e.what() << "\n";
    return 1;
  }
  if (options.json) {
    std::cout << result.dump() << "\n";
  } else {
    for (const auto& [key, value] : result.items()) std::cout << key << ": " << value << "\n";
  }
  return 0;
}

}  // namespace parley::cli
