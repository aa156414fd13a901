#include "parley/ingest/mailbox_poller.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <ctime>
#include <nlohmann/json.hpp>

#include "parley/channels/email/email_parser.h"
#include "parley/telemetry/log.h"

namespace parley::ingest {
namespace {

using telemetry::LogInfo;
using telemetry::LogWarn;

std::string Credential(const domain::ChannelAccount& account, const std::string& name,
                       const std::string& fallback) {
  auto found = account.credentials.find(name);
  if (found != account.credentials.end() && !found->second.empty()) return found->second;
  found = account.credentials.find(fallback);
  return found != account.credentials.end() ? found->second : std::string();
}

// IMAP's date ("7-Nov-2026"), `days` before `now`.
std::string ImapDate(core::Timestamp now, int days) {
  const std::time_t seconds = core::ToMillis(now) / 1000 - static_cast<std::time_t>(days) * 86400;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return std::to_string(tm.tm_mday) + "-" + kMonths[static_cast<std::size_t>(tm.tm_mon)] + "-" +
         std::to_string(tm.tm_year + 1900);
}

}  // namespace

MailboxPoller::MailboxPoller(domain::ChannelAccount account, storage::RawInbox& inbox,
                             const core::Clock& clock, MailboxPollerOptions options)
    : account_(std::move(account)), inbox_(inbox), clock_(clock), options_(options) {
  settings_.url = account_.inbound_url;
  settings_.username = Credential(account_, "imap_username", "username");
  if (settings_.username.empty()) settings_.username = account_.platform_account_id;
  settings_.password = Credential(account_, "imap_password", "password");
  settings_.timeout = options_.timeout;
  int fds[2] = {-1, -1};
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    wake_read_ = fds[0];
    wake_write_ = fds[1];
  }
}

MailboxPoller::~MailboxPoller() {
  Stop();
  if (wake_read_ >= 0) close(wake_read_);
  if (wake_write_ >= 0) close(wake_write_);
}

void MailboxPoller::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void MailboxPoller::RequestStop() {
  stopping_ = true;
  if (wake_write_ >= 0) {
    const char byte = 1;
    [[maybe_unused]] const auto written = write(wake_write_, &byte, 1);
  }
}

void MailboxPoller::Stop() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

bool MailboxPoller::Sleep(std::chrono::milliseconds delay) const {
  if (stopping_) return false;
  pollfd fd{wake_read_, POLLIN, 0};
  poll(&fd, 1, static_cast<int>(delay.count()));
  return !stopping_;
}

void MailboxPoller::Run() {
  const std::string account_id = std::to_string(account_.id.value());
  auto backoff = options_.first_backoff;
  while (!stopping_) {
    bool worked = false;
    const core::Status ended = Session(worked);
    if (stopping_) break;
    if (worked) backoff = options_.first_backoff;  // it worked for a while: start over
    LogWarn("email.imap_failed",
            {{"account", account_id},
             {"error", ended.ok() ? std::string("session ended") : ended.error().ToString()},
             {"retry_ms", static_cast<std::int64_t>(backoff.count())}});
    if (!Sleep(backoff)) break;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

core::Status MailboxPoller::Session(bool& worked) {
  auto opened = ImapSession::Open(settings_);
  if (!opened) return opened.error();
  ImapSession& session = **opened;
  auto mailbox = session.Select();
  if (!mailbox) return mailbox.error();
  if (mailbox->read_only) {
    // What was taken could not be marked, so it would be taken again and again.
    return core::MakeError(core::ErrorCode::kFailedPrecondition,
                           "mailbox " + session.mailbox() +
                               " is read-only for this login: Parley must be able to flag the "
                               "mail it took");
  }
  LogInfo("email.imap_connected", {{"account", static_cast<std::int64_t>(account_.id.value())},
                                   {"server", session.server()},
                                   {"mailbox", session.mailbox()},
                                   {"idle", session.CanIdle()},
                                   {"keywords", mailbox->keywords}});
  while (!stopping_) {
    PARLEY_TRY(TakeNew(session, mailbox->keywords));
    worked = true;
    if (stopping_) break;
    if (session.CanIdle()) {
      auto woke = session.Idle(options_.idle, wake_read_);
      if (!woke) return woke.error();
    } else if (!Sleep(options_.poll)) {
      break;
    } else {
      PARLEY_TRY(session.Noop());
    }
  }
  session.Logout();
  return core::Ok();
}

core::Status MailboxPoller::TakeNew(ImapSession& session, bool keywords) {
  const std::string taken_flag = keywords ? std::string(kTakenKeyword) : std::string("\\Seen");
  const std::string criteria = (keywords ? "UNKEYWORD " + taken_flag : std::string("UNSEEN")) +
                               " SINCE " + ImapDate(clock_.Now(), options_.backfill_days);
  auto uids = session.Search(criteria);
  if (!uids) return uids.error();
  for (const std::uint32_t uid : *uids) {
    if (stopping_) break;
    if (skipped_.contains(uid)) continue;
    // A message that fails three times in a row is given up on (loudly), so that the mail after
    // it still comes in.
    auto give_up = [&](const core::Error& error) -> core::Status {
      if (++failures_[uid] < 3) return error;
      skipped_.insert(uid);
      telemetry::LogError("email.imap_skipped",
                          {{"account", static_cast<std::int64_t>(account_.id.value())},
                           {"uid", static_cast<std::int64_t>(uid)},
                           {"error", error.ToString()}});
      return core::Ok();
    };
    auto fetched = session.Fetch(uid, options_.max_message_bytes);
    if (!fetched) {
      PARLEY_TRY(give_up(fetched.error()));
      continue;
    }
    storage::RawPayload payload;
    payload.channel = domain::ChannelKind::kEmail;
    payload.account_id = account_.id;
    payload.source =
        "imap:" + session.server() + "/" + session.mailbox() + ";UID=" + std::to_string(uid);
    nlohmann::json headers = nlohmann::json::object();
    headers["content-type"] = "message/rfc822";
    if (!fetched->complete) {
      headers[std::string(channels::email::kRefusedHeader)] =
          "the message is " + std::to_string(fetched->size) +
          " bytes, more than email.max_message_bytes (" +
          std::to_string(options_.max_message_bytes) + "); only its header was stored";
    }
    payload.headers_json = headers.dump();
    payload.body = std::move(fetched->body);
    payload.received_at = clock_.Now();
    auto appended = storage::AppendAndWait(inbox_, std::move(payload));
    if (!appended) return appended.error();
    if (auto flagged = session.AddFlag(uid, taken_flag); !flagged.ok()) {
      PARLEY_TRY(give_up(flagged.error()));  // stored already: a retry is found a duplicate
      continue;
    }
    failures_.erase(uid);
    ++taken_;
    LogInfo("email.imap_taken", {{"account", static_cast<std::int64_t>(account_.id.value())},
                                 {"uid", static_cast<std::int64_t>(uid)},
                                 {"bytes", fetched->size},
                                 {"payload", static_cast<std::int64_t>(appended->value())}});
  }
  return core::Ok();
}

}  // namespace parley::ingest
