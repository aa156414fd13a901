// The live events (C6): what changed, numbered in order, kept for a while so that a client that
// reconnects gets what it missed, and handed to every subscriber (WebSocket connections, and
// later outgoing webhooks) as it happens.
//
// Thread-safety: thread-safe. Subscribers are called with the hub's lock held, in sequence
// order: they must only queue (a WebSocket's Send does).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "parley/domain/ids.h"

namespace parley::app {

struct Event {
  std::int64_t seq = 0;
  std::string type;  // message.created, message.updated, conversation.created, ...
  domain::WorkspaceId workspace;
  domain::TeamId team;  // none when unknown
  nlohmann::json data;

  // {"type":"event","seq":N,"event":"message.created","workspace_id":"…","data":{…}}
  std::string ToJson() const;
};

class EventHub {
 public:
  using Subscriber = std::function<void(const Event&)>;

  // `epoch` names this run of the server: sequence numbers start again with each run.
  EventHub(std::string epoch, std::size_t capacity = 10'000)
      : epoch_(std::move(epoch)), capacity_(capacity) {}

  const std::string& epoch() const { return epoch_; }

  void Publish(std::string type, domain::WorkspaceId workspace, domain::TeamId team,
               nlohmann::json data);

  struct Subscription {
    std::int64_t id = 0;
    std::int64_t current = 0;  // the last sequence number published
    // The events after `since` (when it was given), oldest first; nullopt when some of them are
    // no longer held: the client must reload what it shows.
    std::optional<std::vector<Event>> missed;
  };
  // Atomically: what was missed since `since` (nullopt: nothing asked) and a subscription for
  // everything published after. `first` runs before the subscriber can be called, so that what
  // it sends (a greeting, the missed events) goes out before any live event.
  Subscription Subscribe(std::optional<std::int64_t> since, Subscriber subscriber,
                         const std::function<void(const Subscription&)>& first);
  void Unsubscribe(std::int64_t id);
  // Drops every subscriber (at shutdown).
  void Clear();

  std::int64_t last_seq() const;

 private:
  const std::string epoch_;
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::int64_t next_seq_ = 1;                       // GUARDED_BY(mutex_)
  std::deque<Event> recent_;                        // GUARDED_BY(mutex_)
  std::int64_t next_subscriber_ = 1;                // GUARDED_BY(mutex_)
  std::map<std::int64_t, Subscriber> subscribers_;  // GUARDED_BY(mutex_)
};

}  // namespace parley::app
