// Email in over IMAP (PRODUCT.md C1.5): one thread per email channel account with a mailbox URL.
//
// It logs in, selects the mailbox and takes every message it has not taken before: each one is
// appended to the raw inbox exactly as the server holds it (RFC 5322), and only once that append
// is on disk is the message flagged on the server as taken (the keyword `$Parley`, or \Seen where
// the mailbox keeps no keywords). A crash between the two means the message is taken again and
// the engine finds it a duplicate (by Message-ID). Then it waits: IDLE where the server has it
// (re-issued every `idle`), else a poll every `poll`. A lost connection or a refused login is
// logged and tried again with backoff, up to `max_backoff`.
//
// A message larger than `max_message_bytes` is not taken whole: its header is stored, marked, and
// the parser turns it into a dead letter that says so, for an admin to see.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "parley/core/clock.h"
#include "parley/domain/workspace.h"
#include "parley/ingest/imap_session.h"
#include "parley/storage/raw_inbox.h"

namespace parley::ingest {

struct MailboxPollerOptions {
  std::chrono::milliseconds idle{std::chrono::minutes(5)};
  std::chrono::milliseconds poll{std::chrono::minutes(1)};
  std::chrono::milliseconds first_backoff{std::chrono::seconds(1)};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  std::int64_t max_message_bytes = 25 * 1024 * 1024;
  int backfill_days = 7;  // on a mailbox Parley has not flagged yet: mail of the last days only
};

// The keyword a taken message carries on the server.
inline constexpr std::string_view kTakenKeyword = "$Parley";

class MailboxPoller {
 public:
  // The account's `inbound_url` names the mailbox; credentials `imap_username`/`imap_password`
  // (else `username`/`password`) log in.
  MailboxPoller(domain::ChannelAccount account, storage::RawInbox& inbox, const core::Clock& clock,
                MailboxPollerOptions options);
  ~MailboxPoller();
  MailboxPoller(const MailboxPoller&) = delete;
  MailboxPoller& operator=(const MailboxPoller&) = delete;

  void Start();
  // Interrupts IDLE or the wait; the message in hand is finished. Does not wait (so that several
  // mailboxes stop together).
  void RequestStop();
  // RequestStop, and waits for the thread.
  void Stop();

  // Messages taken so far (for tests and metrics).
  std::int64_t taken() const { return taken_.load(); }

 private:
  void Run();
  // One connected session, until it fails or Stop. `worked`: it took what was new at least once.
  core::Status Session(bool& worked);
  core::Status TakeNew(ImapSession& session, bool keywords);
  // Waits up to `delay` or until Stop; false when stopping.
  bool Sleep(std::chrono::milliseconds delay) const;

  domain::ChannelAccount account_;
  storage::RawInbox& inbox_;
  const core::Clock& clock_;
  MailboxPollerOptions options_;
  MailboxSettings settings_;
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> taken_{0};
  // Messages that failed again and again (unreadable on the server): given up on, and said so.
  std::map<std::uint32_t, int> failures_;  // by UID; the poller's thread only
  std::set<std::uint32_t> skipped_;
  std::thread thread_;
};

}  // namespace parley::ingest
