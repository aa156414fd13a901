#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "parley/app/application.h"
#include "parley/cli/commands.h"
#include "parley/cli/setup.h"
#include "parley/core/version.h"
#include "parley/sqlite/migrations.h"
#include "parley/sqlite/sqlite_store.h"

namespace parley::cli {

int RunVersion() {
  std::cout << "parley " << core::Version() << "\n";
  return 0;
}

int RunStats(const ServeOptions& options) {
  auto config = LoadAndPrepare(options);
  if (!config) return 2;
  const std::filesystem::path dir(config->storage.data_dir);
  auto store =
      sqlite::SqliteStore::Open((dir / "parley.db").string(), core::SystemClock::Instance());
  if (!store.ok()) {
    std::cerr << "parley: " << store.error().message << "\n";
    return 1;
  }
  nlohmann::json out;
  for (const auto entity : storage::kAllEntityKinds) {
    auto count = (*store)->CountDocuments(entity, domain::WorkspaceId());
    if (!count.ok()) {
      std::cerr << "parley: " << count.error().message << "\n";
      return 1;
    }
    out["stored"][std::string(storage::ToString(entity))] = *count;
  }
  // The inbox is read without its writer thread: a plain connection to the same file.
  auto inbox = sqlite::Database::Open((dir / "inbox.db").string(), sqlite::Durability::kFull);
  if (!inbox.ok()) {
    std::cerr << "parley: " << inbox.error().message << "\n";
    return 1;
  }
  out["inbox"] = {{"pending", 0}, {"processed", 0}, {"dead_letter", 0}};
  auto states = inbox->Prepare("SELECT state, COUNT(*) FROM raw_payloads GROUP BY state");
  if (states.ok()) {
    while (true) {
      auto row = states->Step();
      if (!row.ok() || !*row) break;
      const auto state = static_cast<domain::PayloadState>(states->ColumnInt(0));
      out["inbox"][std::string(domain::ToString(state))] = states->ColumnInt(1);
    }
  }
  out["outbox"] = nlohmann::json::object();
  if (std::filesystem::exists(dir / "outbox.db")) {
    auto outbox = sqlite::Database::Open((dir / "outbox.db").string(), sqlite::Durability::kFull);
    auto counts = outbox.ok() ? outbox->Prepare("SELECT state, COUNT(*) FROM outbox GROUP BY state")
                              : core::Result<sqlite::Statement>(outbox.error());
    while (counts.ok()) {
      auto row = counts->Step();
      if (!row.ok() || !*row) break;
      out["outbox"][counts->ColumnText(0)] = counts->ColumnInt(1);
    }
  }
  std::cout << out.dump() << "\n";
  return 0;
}

int RunMigrate(const ServeOptions& options) {
  auto config = LoadAndPrepare(options);
  if (!config) return 2;
  const std::filesystem::path dir(config->storage.data_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  struct Target {
    const char* file;
    std::span<const sqlite::Migration> migrations;
  };
  for (const Target& target : {Target{"parley.db", sqlite::StoreMigrations()},
                               Target{"inbox.db", sqlite::InboxMigrations()},
                               Target{"outbox.db", sqlite::OutboxMigrations()}}) {
    const std::string path = (dir / target.file).string();
    auto db = sqlite::Database::Open(path, sqlite::Durability::kFull);
    if (!db.ok()) {
      std::cerr << "parley: " << db.error().message << "\n";
      return 1;
    }
    auto applied = sqlite::Migrate(*db, target.migrations, core::SystemClock::Instance().Now());
    if (!applied.ok()) {
      std::cerr << "parley: " << path << ": " << applied.error().message << "\n";
      return 1;
    }
    std::cout << path << ": schema version " << *sqlite::SchemaVersion(*db);
    if (applied->empty()) {
      std::cout << " (up to date)\n";
    } else {
      std::cout << " (applied " << applied->size() << " migration"
                << (applied->size() == 1 ? "" : "s") << ")\n";
    }
  }
  return 0;
}

namespace {

// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks.
core::Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
      rows.push_back(std::move(row));
      row.clear();
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted)
    return core::MakeError(core::ErrorCode::kInvalidArgument, "unterminated quoted field");
  if (field_started || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

// The "Customer Support on Twitter" dataset (tweet_id, author_id, inbound, created_at, text,
// response_tweet_id, in_response_to_tweet_id) as Account Activity deliveries: a customer's tweet
// addressed to the account, a brand's tweet addressed to the brand itself, so that the X parser
// marks it as the brand's own. Ids are prefixed so that they cannot collide with real ones.
core::Result<std::vector<std::string>> TwcsPayloads(std::string_view text,
                                                    const std::string& account_user_id) {
  auto rows = ParseCsv(text);
  PARLEY_TRY(rows);
  if (rows->empty()) return core::MakeError(core::ErrorCode::kInvalidArgument, "empty file");
  const std::vector<std::string> expected = {"tweet_id",
                                             "author_id",
                                             "inbound",
                                             "created_at",
                                             "text",
                                             "response_tweet_id",
                                             "in_response_to_tweet_id"};
  if ((*rows)[0] != expected) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "the header is not tweet_id,author_id,inbound,created_at,text,"
                           "response_tweet_id,in_response_to_tweet_id");
  }
  std::vector<std::string> payloads;
  for (std::size_t i = 1; i < rows->size(); ++i) {
    const auto& row = (*rows)[i];
    if (row.size() == 1 && row[0].empty()) continue;
    if (row.size() != expected.size()) {
      return core::MakeError(core::ErrorCode::kInvalidArgument, "line " + std::to_string(i + 1) +
                                                                    ": expected 7 fields, got " +
                                                                    std::to_string(row.size()));
    }
    const bool inbound = row[2] == "True";
    nlohmann::json tweet = {{"id_str", "twcs-" + row[0]},
                            {"created_at", row[3]},
                            {"text", row[4]},
                            {"user", {{"id_str", row[1]}, {"screen_name", row[1]}}}};
    if (!row[6].empty()) tweet["in_reply_to_status_id_str"] = "twcs-" + row[6];
    nlohmann::json delivery = {{"for_user_id", inbound ? account_user_id : row[1]},
                               {"tweet_create_events", nlohmann::json::array({tweet})}};
    payloads.push_back(delivery.dump());
  }
  return payloads;
}

}  // namespace

int RunImport(const ImportOptions& options) {
  // Which channel kinds each format's payloads belong to.
  static const std::map<std::string, std::vector<domain::ChannelKind>> kFormats = {
      {"generic", {domain::ChannelKind::kGeneric}},
      {"x-v2", {domain::ChannelKind::kX}},
      {"twcs", {domain::ChannelKind::kX}},
      {"meta",
       {domain::ChannelKind::kFacebook, domain::ChannelKind::kInstagram,
        domain::ChannelKind::kWhatsApp}},
  };
  auto format = kFormats.find(options.format);
  if (format == kFormats.end()) {
    std::cerr << "parley: unknown import format '" << options.format
              << "'; this build reads: generic, x-v2, meta (a JSON document, or JSON lines with "
                 "one payload per line) and twcs (the Customer Support on Twitter CSV)\n";
    return 2;
  }
  auto config = LoadAndPrepare(options.serve);
  if (!config) return 2;
  auto app = app::Application::Open(*config, core::SystemClock::Instance());
  if (!app.ok()) {
    std::cerr << "parley: " << app.error().message << "\n";
    return 1;
  }
  // Which channel account the history belongs to.
  std::optional<domain::ChannelAccount> account;
  auto accounts = storage::ListAll<domain::ChannelAccount>((*app)->store(), domain::WorkspaceId());
  std::vector<domain::ChannelAccount> candidates;
  if (accounts.ok()) {
    for (const auto& a : *accounts) {
      if (std::find(format->second.begin(), format->second.end(), a.kind) != format->second.end()) {
        candidates.push_back(a);
      }
    }
  }
  for (const auto& a : candidates) {
    if (a.platform_account_id == options.account ||
        (options.account.empty() && candidates.size() == 1)) {
      account = a;
    }
  }
  if (!account) {
    std::cerr << "parley: name the channel account with --account (its platform_account_id, "
                 "declared in the configuration's [[channel_accounts]]); "
              << candidates.size() << " account(s) can take format " << options.format << "\n";
    return 2;
  }

  // The payloads: the whole file when it is one JSON document, otherwise one per line.
  std::ifstream in(options.file, std::ios::binary);
  std::stringstream whole;
  whole << in.rdbuf();
  const std::string text = whole.str();
  std::vector<std::string> payloads;
  if (options.format == "twcs") {
    auto converted = TwcsPayloads(text, account->platform_account_id);
    if (!converted.ok()) {
      std::cerr << "parley: " << options.file << ": " << converted.error().message << "\n";
      return 2;
    }
    payloads = std::move(converted).value();
  } else if (nlohmann::json::accept(text)) {
    payloads.push_back(text);
  } else {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find_first_not_of(" \t\r") != std::string::npos) payloads.push_back(line);
    }
  }

  std::int64_t lines = 0;
  std::mutex mutex;
  std::condition_variable all_stored;
  std::int64_t outstanding = 0;  // GUARDED_BY(mutex)
  std::int64_t failed = 0;       // GUARDED_BY(mutex)
  const std::string source = "import:" + std::filesystem::path(options.file).filename().string();
  for (auto& body : payloads) {
    ++lines;
    storage::RawPayload payload;
    payload.channel = account->kind;
    payload.account_id = account->id;
    payload.source = source;
    payload.body = std::move(body);
    payload.received_at = core::SystemClock::Instance().Now();
    {
      std::lock_guard lock(mutex);
      ++outstanding;
    }
    // Appended without waiting, so that the inbox commits many payloads per fsync.
    (*app)->inbox().Append(std::move(payload), [&](const core::Result<domain::RawPayloadId>& id) {
      std::lock_guard lock(mutex);
      if (!id.ok()) ++failed;
      if (--outstanding == 0) all_stored.notify_all();
    });
  }
  {
    std::unique_lock lock(mutex);
    all_stored.wait(lock, [&] { return outstanding == 0; });
  }
  auto stats = (*app)->processor().ProcessAvailable();
  if (!stats.ok()) {
    std::cerr << "parley: " << stats.error().message << "\n";
    return 1;
  }
  std::cout << "{\"lines\":" << lines << ",\"not_stored\":" << failed
            << ",\"processed\":" << stats->processed
            << ",\"messages_created\":" << stats->messages_created
            << ",\"duplicates\":" << stats->duplicates
            << ",\"dead_letters\":" << stats->dead_lettered << "}\n";
  (*app)->Shutdown();
  return failed > 0 || stats->dead_lettered > 0 ? 1 : 0;
}

}  // namespace parley::cli
