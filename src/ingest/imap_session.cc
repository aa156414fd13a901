#include "parley/ingest/imap_session.h"

#include <curl/curl.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>

namespace parley::ingest {
namespace {

using Clock = std::chrono::steady_clock;

core::Error Unavailable(std::string message) {
  return core::MakeError(core::ErrorCode::kUnavailable, std::move(message));
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// The mailbox named by the URL's path ("/INBOX", "/Support%20EU"); INBOX when none.
std::string MailboxOf(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos || slash + 1 >= url.size()) return "INBOX";
  std::string path = url.substr(slash + 1);
  if (const auto query = path.find_first_of(";?"); query != std::string::npos) path.resize(query);
  std::string decoded;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size()) {
      int value = 0;
      const auto [end, ec] = std::from_chars(path.data() + i + 1, path.data() + i + 3, value, 16);
      if (ec == std::errc() && end == path.data() + i + 3) {
        decoded.push_back(static_cast<char>(value));
        i += 2;
        continue;
      }
    }
    decoded.push_back(path[i]);
  }
  return decoded.empty() ? "INBOX" : decoded;
}

// host[:port] of the URL, for messages.
std::string ServerOf(const std::string& url) {
  const auto scheme = url.find("://");
  const std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  return url.substr(start, url.find('/', start) - start);
}

// The number after `key` in `line` ("[UIDVALIDITY 3857529045]"), or 0.
std::uint64_t NumberAfter(std::string_view line, std::string_view key) {
  const auto at = Upper(line).find(key);
  if (at == std::string::npos) return 0;
  std::size_t i = at + key.size();
  while (i < line.size() && line[i] == ' ') ++i;
  std::uint64_t value = 0;
  std::from_chars(line.data() + i, line.data() + line.size(), value);
  return value;
}

}  // namespace

struct ImapSession::CurlHandle {
  CURL* curl = nullptr;
  ~CurlHandle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

std::string ImapQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\r' || c == '\n') continue;
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

core::Result<std::unique_ptr<ImapSession>> ImapSession::Open(const MailboxSettings& settings) {
  InitCurlOnce();
  if (settings.url.rfind("imap://", 0) != 0 && settings.url.rfind("imaps://", 0) != 0) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "the mailbox URL must start with imap:// or imaps://");
  }
  std::unique_ptr<ImapSession> session(new ImapSession());
  session->curl_ = std::make_unique<CurlHandle>();
  session->mailbox_ = MailboxOf(settings.url);
  session->server_ = ServerOf(settings.url);
  session->timeout_ = settings.timeout;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Unavailable("libcurl could not make a handle");
  session->curl_->curl = curl;
  curl_easy_setopt(curl, CURLOPT_URL, settings.url.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, settings.username.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, settings.password.c_str());
  // imap:// must upgrade with STARTTLS (else the password would cross the network in clear),
  // except on this machine's loopback, where a test server or a local relay may have no TLS.
  const std::string host = session->server_.substr(0, session->server_.rfind(':'));
  const bool loopback = host == "127.0.0.1" || host == "localhost" || host == "[::1]";
  curl_easy_setopt(curl, CURLOPT_USE_SSL,
                   static_cast<long>(loopback ? CURLUSESSL_TRY : CURLUSESSL_ALL));
  curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  const CURLcode connected = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (connected != CURLE_OK) {
    const std::string why = error[0] != '\0' ? error : curl_easy_strerror(connected);
    if (connected == CURLE_LOGIN_DENIED) {
      return core::MakeError(core::ErrorCode::kPermissionDenied,
                             "IMAP server " + session->server_ + " refused the login: " + why);
    }
    return Unavailable("IMAP server " + session->server_ + ": " + why);
  }
  auto capability = session->Command("CAPABILITY");
  if (!capability) return capability.error();
  for (const std::string& line : capability->untagged) {
    const std::string upper = Upper(line);
    if (upper.rfind("CAPABILITY ", 0) == 0 && upper.find(" IDLE") != std::string::npos) {
      session->can_idle_ = true;
    }
  }
  return session;
}

ImapSession::~ImapSession() = default;

core::Error ImapSession::Failure(std::string what) const {
  return Unavailable("IMAP server " + server_ + ": " + std::move(what));
}

int ImapSession::WaitReadable(Clock::time_point deadline, int interrupt_fd) const {
  curl_socket_t socket = CURL_SOCKET_BAD;
  curl_easy_getinfo(curl_->curl, CURLINFO_ACTIVESOCKET, &socket);
  if (socket == CURL_SOCKET_BAD) return 1;  // let the read report the closed connection
  pollfd fds[2] = {{socket, POLLIN, 0}, {interrupt_fd, POLLIN, 0}};
  const nfds_t count = interrupt_fd >= 0 ? 2 : 1;
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return 0;
    const int ready = poll(fds, count, static_cast<int>(std::min<long long>(left, 60'000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return 1;
    if (count == 2 && (fds[1].revents & POLLIN) != 0) return -1;
    if (ready > 0) return 1;
  }
}

core::Status ImapSession::Fill(Clock::time_point deadline) {
  char chunk[16384];
  while (true) {
    std::size_t got = 0;
    const CURLcode code = curl_easy_recv(curl_->curl, chunk, sizeof chunk, &got);
    if (code == CURLE_OK) {
      if (got == 0) return Failure("the server closed the connection");
      buffer_.append(chunk, got);
      return core::Ok();
    }
    if (code != CURLE_AGAIN) return Failure(curl_easy_strerror(code));
    const int ready = WaitReadable(deadline, -1);
    if (ready == 0) return Failure("no answer within " + std::to_string(timeout_.count()) + " ms");
  }
}

core::Status ImapSession::Send(std::string_view data) {
  const auto deadline = Clock::now() + timeout_;
  while (!data.empty()) {
    std::size_t sent = 0;
    const CURLcode code = curl_easy_send(curl_->curl, data.data(), data.size(), &sent);
    if (code == CURLE_OK) {
      data.remove_prefix(sent);
      continue;
    }
    if (code != CURLE_AGAIN) return Failure(curl_easy_strerror(code));
    curl_socket_t socket = CURL_SOCKET_BAD;
    curl_easy_getinfo(curl_->curl, CURLINFO_ACTIVESOCKET, &socket);
    pollfd fd{socket, POLLOUT, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || poll(&fd, 1, static_cast<int>(left)) == 0) {
      return Failure("could not send within " + std::to_string(timeout_.count()) + " ms");
    }
  }
  return core::Ok();
}

// Each wait for more bytes may last the timeout: a large message that keeps arriving is not cut.
core::Result<std::string> ImapSession::ReadLine() {
  while (true) {
    const auto end = buffer_.find("\r\n");
    if (end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      return line;
    }
    if (buffer_.size() > (1u << 20)) return Failure("a response line longer than 1 MiB");
    PARLEY_TRY(Fill(Clock::now() + timeout_));
  }
}

core::Status ImapSession::ReadExactly(std::size_t n, std::string& out) {
  while (buffer_.size() < n) PARLEY_TRY(Fill(Clock::now() + timeout_));
  out.assign(buffer_, 0, n);
  buffer_.erase(0, n);
  return core::Ok();
}

core::Result<std::string> ImapSession::ReadResponse(std::vector<std::string>& literals) {
  std::string response;
  while (true) {
    auto line = ReadLine();
    if (!line) return line.error();
    // A literal: the line ends with {n}; n bytes follow, then the rest of the response.
    if (!line->empty() && line->back() == '}') {
      const auto open = line->rfind('{');
      std::size_t size = 0;
      const char* first = line->data() + open + 1;
      const char* last = line->data() + line->size() - 1;
      const auto [end, ec] = std::from_chars(first, last, size);
      if (open != std::string::npos && ec == std::errc() && end == last) {
        std::string literal;
        PARLEY_TRY(ReadExactly(size, literal));
        response += line->substr(0, open) + "{#" + std::to_string(literals.size()) + "}";
        literals.push_back(std::move(literal));
        continue;
      }
    }
    response += *line;
    return response;
  }
}

core::Result<ImapSession::Reply> ImapSession::Command(std::string_view command) {
  const std::string tag = "P" + std::to_string(next_tag_++);
  PARLEY_TRY(Send(tag + " " + std::string(command) + "\r\n"));
  Reply reply;
  while (true) {
    auto response = ReadResponse(reply.literals);
    if (!response) return response.error();
    if (response->rfind("* ", 0) == 0) {
      reply.untagged.push_back(response->substr(2));
      continue;
    }
    if (response->rfind(tag + " ", 0) != 0) continue;  // a continuation or another's tag
    const std::string rest = response->substr(tag.size() + 1);
    const auto space = rest.find(' ');
    reply.status = Upper(rest.substr(0, space));
    reply.text = space == std::string::npos ? "" : rest.substr(space + 1);
    if (reply.status != "OK") {
      const std::string verb(command.substr(0, command.find(' ')));
      return Failure(verb + " answered " + reply.status + " " + reply.text);
    }
    return reply;
  }
}

core::Result<ImapSession::Selected> ImapSession::Select() {
  auto reply = Command("SELECT " + ImapQuote(mailbox_));
  if (!reply) return reply.error();
  Selected selected;
  selected.read_only = Upper(reply->text).find("[READ-ONLY]") != std::string::npos;
  for (const std::string& line : reply->untagged) {
    const std::string upper = Upper(line);
    if (upper.find("[UIDVALIDITY") != std::string::npos) {
      selected.uid_validity = static_cast<std::uint32_t>(NumberAfter(line, "[UIDVALIDITY"));
    } else if (upper.find("[PERMANENTFLAGS") != std::string::npos) {
      selected.keywords = line.find("\\*") != std::string::npos;
    } else if (upper.size() > 7 && upper.substr(upper.size() - 7) == " EXISTS") {
      std::from_chars(line.data(), line.data() + line.size(), selected.exists);
    }
  }
  return selected;
}

core::Result<std::vector<std::uint32_t>> ImapSession::Search(std::string_view criteria) {
  auto reply = Command("UID SEARCH " + std::string(criteria));
  if (!reply) return reply.error();
  std::vector<std::uint32_t> uids;
  for (const std::string& line : reply->untagged) {
    if (Upper(line).rfind("SEARCH", 0) != 0) continue;
    const char* at = line.data() + 6;
    const char* end = line.data() + line.size();
    while (at < end) {
      while (at < end && *at == ' ') ++at;
      std::uint32_t uid = 0;
      const auto [next, ec] = std::from_chars(at, end, uid);
      if (ec != std::errc()) break;
      uids.push_back(uid);
      at = next;
    }
  }
  std::sort(uids.begin(), uids.end());
  return uids;
}

core::Result<ImapSession::Fetched> ImapSession::Fetch(std::uint32_t uid, std::int64_t max_bytes) {
  Fetched fetched;
  fetched.uid = uid;
  const std::string id = std::to_string(uid);
  auto sized = Command("UID FETCH " + id + " (RFC822.SIZE)");
  if (!sized) return sized.error();
  bool found = false;
  for (const std::string& line : sized->untagged) {
    if (Upper(line).find("RFC822.SIZE") == std::string::npos) continue;
    fetched.size = static_cast<std::int64_t>(NumberAfter(line, "RFC822.SIZE"));
    found = true;
  }
  if (!found) return Failure("message UID " + id + " is gone");
  fetched.complete = fetched.size <= max_bytes;
  auto body =
      Command("UID FETCH " + id + (fetched.complete ? " (BODY.PEEK[])" : " (BODY.PEEK[HEADER])"));
  if (!body) return body.error();
  if (body->literals.empty()) return Failure("FETCH of UID " + id + " returned no content");
  // The content is the literal of the FETCH response that names BODY[...].
  for (const std::string& line : body->untagged) {
    const auto at = Upper(line).find("BODY[");
    if (at == std::string::npos) continue;
    const auto mark = line.find("{#", at);
    if (mark == std::string::npos) continue;
    std::size_t index = 0;
    std::from_chars(line.data() + mark + 2, line.data() + line.size(), index);
    if (index < body->literals.size()) fetched.body = std::move(body->literals[index]);
    return fetched;
  }
  return Failure("FETCH of UID " + id + " returned no BODY[]");
}

core::Status ImapSession::AddFlag(std::uint32_t uid, std::string_view flag) {
  auto reply =
      Command("UID STORE " + std::to_string(uid) + " +FLAGS.SILENT (" + std::string(flag) + ")");
  if (!reply) return reply.error();
  return core::Ok();
}

core::Result<ImapSession::Wake> ImapSession::Idle(std::chrono::milliseconds max, int interrupt_fd) {
  const std::string tag = "P" + std::to_string(next_tag_++);
  PARLEY_TRY(Send(tag + " IDLE\r\n"));
  std::vector<std::string> literals;
  Wake wake = Wake::kTimeout;
  // Untagged news may come before the continuation (mail that arrived just now).
  while (true) {
    auto accepted = ReadResponse(literals);
    if (!accepted) return accepted.error();
    if (accepted->rfind("+", 0) == 0) break;
    if (accepted->rfind("* ", 0) == 0) {
      const std::string upper = Upper(*accepted);
      if (upper.size() > 7 && upper.substr(upper.size() - 7) == " EXISTS") wake = Wake::kNewMail;
      continue;
    }
    return Failure("IDLE answered " + *accepted);
  }
  const auto deadline = Clock::now() + max;
  while (wake == Wake::kTimeout) {
    if (buffer_.find("\r\n") == std::string::npos) {
      const int ready = WaitReadable(deadline, interrupt_fd);
      if (ready == 0) break;
      if (ready < 0) {
        wake = Wake::kInterrupted;
        break;
      }
      PARLEY_TRY(Fill(Clock::now() + timeout_));
      continue;
    }
    auto line = ReadResponse(literals);
    if (!line) return line.error();
    const std::string upper = Upper(*line);
    if (upper.rfind("* BYE", 0) == 0) return Failure("the server ended the session: " + *line);
    if (line->rfind(tag + " ", 0) == 0) {
      // The server ended the IDLE itself: no DONE to send; look for mail at once.
      if (Upper(line->substr(tag.size() + 1, 2)) != "OK") return Failure("IDLE ended " + *line);
      return Wake::kNewMail;
    }
    if (upper.size() > 7 && upper.substr(upper.size() - 7) == " EXISTS") wake = Wake::kNewMail;
  }
  PARLEY_TRY(Send("DONE\r\n"));
  while (true) {
    auto line = ReadResponse(literals);
    if (!line) return line.error();
    if (line->rfind(tag + " ", 0) != 0) {
      if (Upper(*line).find(" EXISTS") != std::string::npos && wake == Wake::kTimeout) {
        wake = Wake::kNewMail;
      }
      continue;
    }
    if (Upper(line->substr(tag.size() + 1, 2)) != "OK") return Failure("IDLE ended " + *line);
    return wake;
  }
}

core::Status ImapSession::Noop() {
  auto reply = Command("NOOP");
  if (!reply) return reply.error();
  return core::Ok();
}

void ImapSession::Logout() { (void)Command("LOGOUT"); }

}  // namespace parley::ingest
