// One logged-in IMAP4rev1 connection (RFC 3501) to a support mailbox, with IDLE (RFC 2177).
//
// libcurl opens the connection, negotiates TLS (imaps://, or STARTTLS on imap:// when offered)
// and logs in (CURLOPT_CONNECT_ONLY); the commands after that are written and read here, over
// the connection libcurl holds, because libcurl has no IDLE. What is read here is the part of
// the grammar those commands answer with: tagged and untagged lines, and literals ({n}).
//
// Not thread-safe: one thread drives a session.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parley/core/result.h"

namespace parley::ingest {

struct MailboxSettings {
  std::string url;  // imap://host:port/MAILBOX or imaps://…; no mailbox: INBOX
  std::string username;
  std::string password;
  std::chrono::milliseconds timeout{30000};  // connect, and each answer the server owes
};

class ImapSession {
 public:
  struct Selected {
    std::uint32_t uid_validity = 0;
    std::uint32_t exists = 0;
    bool keywords = false;   // PERMANENTFLAGS has \*: the mailbox keeps flags Parley names
    bool read_only = false;  // [READ-ONLY]: nothing taken could be marked
  };
  struct Fetched {
    std::uint32_t uid = 0;
    std::int64_t size = 0;  // RFC822.SIZE
    std::string body;       // the whole message, or only its header when it was too large
    bool complete = true;
  };
  enum class Wake { kNewMail, kTimeout, kInterrupted };

  // Connects and logs in. Errors name the server and what it said; never the password.
  static core::Result<std::unique_ptr<ImapSession>> Open(const MailboxSettings& settings);
  ~ImapSession();
  ImapSession(const ImapSession&) = delete;
  ImapSession& operator=(const ImapSession&) = delete;

  // SELECT the mailbox named in the URL.
  core::Result<Selected> Select();
  // UID SEARCH with the given criteria ("UNKEYWORD $Parley SINCE 1-Nov-2026").
  core::Result<std::vector<std::uint32_t>> Search(std::string_view criteria);
  // The message, without setting \Seen (BODY.PEEK). Larger than max_bytes: only the header.
  core::Result<Fetched> Fetch(std::uint32_t uid, std::int64_t max_bytes);
  // UID STORE +FLAGS.SILENT.
  core::Status AddFlag(std::uint32_t uid, std::string_view flag);
  bool CanIdle() const { return can_idle_; }
  // IDLE until the server reports new mail, `max` passes, or `interrupt_fd` becomes readable.
  core::Result<Wake> Idle(std::chrono::milliseconds max, int interrupt_fd);
  // NOOP: lets a server without IDLE report what arrived; proves the connection is alive.
  core::Status Noop();
  // LOGOUT, politely; the connection closes either way when the session is destroyed.
  void Logout();

  const std::string& mailbox() const { return mailbox_; }
  const std::string& server() const { return server_; }

 private:
  // One command's answer: the untagged responses (literals replaced by {#k}), the literals, the
  // tagged status (OK, NO, BAD) and its text.
  struct Reply {
    std::vector<std::string> untagged;
    std::vector<std::string> literals;
    std::string status;
    std::string text;
  };

  ImapSession() = default;
  core::Result<Reply> Command(std::string_view command);
  core::Status Send(std::string_view data);
  // The next line (without CRLF), with any literals it announces read into `literals`.
  core::Result<std::string> ReadResponse(std::vector<std::string>& literals);
  core::Result<std::string> ReadLine();
  core::Status ReadExactly(std::size_t n, std::string& out);
  // Reads more from the connection into buffer_; waits at most until `deadline`.
  core::Status Fill(std::chrono::steady_clock::time_point deadline);
  // Waits for the socket (or interrupt_fd) to become readable. 1: socket, 0: timeout, -1:
  // interrupted.
  int WaitReadable(std::chrono::steady_clock::time_point deadline, int interrupt_fd) const;
  core::Error Failure(std::string what) const;

  struct CurlHandle;
  std::unique_ptr<CurlHandle> curl_;
  std::string mailbox_ = "INBOX";
  std::string server_;
  std::string buffer_;
  std::chrono::milliseconds timeout_{30000};
  int next_tag_ = 1;
  bool can_idle_ = false;
};

// The quoted form of an IMAP string ("INBOX", "Support \"EU\"").
std::string ImapQuote(std::string_view text);

}  // namespace parley::ingest
