// `parley outbox`: put a request to a platform in the outbox, list what the outbox holds, and
// send again what a person checked. A running server's dispatcher picks up what is enqueued here
// within its poll interval ([outbound] poll_interval_ms).
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "parley/cli/commands.h"
#include "parley/cli/setup.h"
#include "parley/domain/json_codec.h"
#include "parley/sqlite/sqlite_outbox.h"
#include "parley/sqlite/sqlite_store.h"

namespace parley::cli {

namespace {

using domain::OutboundKind;

int Fail(const std::string& message, int code = 1) {
  std::cerr << "parley: " << message << "\n";
  return code;
}

core::Result<std::unique_ptr<sqlite::SqliteOutbox>> OpenOutbox(const config::Config& config) {
  const std::filesystem::path dir(config.storage.data_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return sqlite::SqliteOutbox::Open((dir / "outbox.db").string(), core::SystemClock::Instance());
}

// The account named by its name or platform account id, among those stored.
core::Result<domain::ChannelAccount> FindAccount(storage::Store& store, const std::string& key) {
  auto accounts = storage::ListAll<domain::ChannelAccount>(store, domain::WorkspaceId());
  PARLEY_TRY(accounts);
  std::string known;
  for (auto& account : *accounts) {
    if (account.name == key || account.platform_account_id == key || account.id.ToString() == key) {
      return std::move(account);
    }
    known += (known.empty() ? "" : ", ") + account.name;
  }
  return core::MakeError(core::ErrorCode::kNotFound, "no channel account '" + key + "' (known: " +
                                                         (known.empty() ? "none" : known) + ")");
}

}  // namespace

int RunOutbox(const OutboxOptions& options) {
  auto config = LoadAndPrepare(options.serve);
  if (!config) return 2;
  auto outbox = OpenOutbox(*config);
  if (!outbox.ok()) return Fail(outbox.error().message);

  if (options.action == "list") {
    std::optional<domain::OutboxState> state;
    if (!options.state.empty()) {
      state = domain::ParseEnum<domain::OutboxState>(options.state);
      if (!state) return Fail("unknown state '" + options.state + "'", 2);
    }
    domain::OutboxId after;
    while (true) {
      auto page = (*outbox)->List(state, after, 500);
      if (!page.ok()) return Fail(page.error().message);
      for (const auto& item : *page) std::cout << domain::EncodeJson(item) << "\n";
      if (page->size() < 500) break;
      after = page->back().id;
    }
    return 0;
  }
  if (options.action == "requeue") {
    auto id = core::ParseId<domain::OutboxId>(options.id);
    if (!id) return Fail("not an outbox id: '" + options.id + "'", 2);
    auto status = (*outbox)->Requeue(*id, core::SystemClock::Instance().Now());
    if (!status.ok()) return Fail(status.error().message);
    auto requeued = (*outbox)->Get(*id);
    if (!requeued.ok() || !requeued->has_value()) {
      return Fail(requeued.ok() ? "outbox item " + options.id + " vanished"
                                : requeued.error().message);
    }
    std::cout << domain::EncodeJson(**requeued) << "\n";
    return 0;
  }

  // send
  auto kind = domain::ParseEnum<OutboundKind>(options.kind);
  if (!kind) return Fail("unknown kind '" + options.kind + "'", 2);
  const std::filesystem::path dir(config->storage.data_dir);
  auto store =
      sqlite::SqliteStore::Open((dir / "parley.db").string(), core::SystemClock::Instance());
  if (!store.ok()) return Fail(store.error().message);
  auto account = FindAccount(**store, options.account);
  if (!account.ok()) return Fail(account.error().message, 2);

  domain::OutboxItem item;
  item.workspace_id = account->workspace_id;
  item.channel_account_id = account->id;
  item.created_at = core::SystemClock::Instance().Now();
  item.action.kind = *kind;
  item.action.target_platform_id = options.to;
  item.action.recipient_platform_user_id = options.recipient;
  item.action.text = options.text;
  item.action.template_name = options.template_name;
  item.action.template_language = options.language;
  item.action.template_parameters = options.parameters;

  const bool needs_target =
      *kind != OutboundKind::kDirectMessage && *kind != OutboundKind::kTemplate;
  if (needs_target && options.to.empty()) {
    return Fail("--to (the platform id of the message acted on) is required for " + options.kind,
                2);
  }
  if (domain::CarriesMessage(*kind) && *kind != OutboundKind::kTemplate && options.text.empty()) {
    return Fail("--text is required for " + options.kind, 2);
  }
  // What the message replied to says about the thread and, for private channels, the recipient.
  if (!options.to.empty()) {
    auto ref = (*store)->FindMessageByPlatformId(account->id, options.to);
    if (!ref.ok()) return Fail(ref.error().message);
    if (ref->has_value()) {
      item.conversation_id = (*ref)->conversation_id;
      auto target = storage::Get<domain::Message>(**store, (*ref)->id);
      if (target.ok() && target->has_value() && item.action.recipient_platform_user_id.empty() &&
          (*target)->visibility == domain::Visibility::kPrivate) {
        item.action.recipient_platform_user_id = (*target)->author.platform_user_id;
      }
    } else {
      std::cerr << "parley: note: " << options.to << " is not a message Parley holds for "
                << account->name << "; sending anyway\n";
    }
  }
  auto stored = (*outbox)->Enqueue(std::move(item));
  if (!stored.ok()) return Fail(stored.error().message);
  std::cout << domain::EncodeJson(*stored) << "\n";
  return 0;
}

}  // namespace parley::cli
