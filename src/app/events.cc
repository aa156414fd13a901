#include "parley/app/events.h"

namespace parley::app {

std::string Event::ToJson() const {
  return nlohmann::json({{"type", "event"},
                         {"seq", seq},
                         {"event", type},
                         {"workspace_id", workspace.ToString()},
                         {"data", data}})
      .dump();
}

void EventHub::Publish(std::string type, domain::WorkspaceId workspace, domain::TeamId team,
                       nlohmann::json data) {
  std::lock_guard lock(mutex_);
  Event event{next_seq_++, std::move(type), workspace, team, std::move(data)};
  for (const auto& [id, subscriber] : subscribers_) subscriber(event);
  recent_.push_back(std::move(event));
  if (recent_.size() > capacity_) recent_.pop_front();
}

EventHub::Subscription EventHub::Subscribe(std::optional<std::int64_t> since, Subscriber subscriber,
                                           const std::function<void(const Subscription&)>& first) {
  std::lock_guard lock(mutex_);
  Subscription subscription;
  subscription.id = next_subscriber_++;
  subscription.current = next_seq_ - 1;
  if (since) {
    const std::int64_t oldest = recent_.empty() ? next_seq_ : recent_.front().seq;
    if (*since + 1 < oldest && *since < next_seq_ - 1) {
      subscription.missed.reset();  // some were dropped
    } else {
      std::vector<Event> missed;
      for (const auto& event : recent_) {
        if (event.seq > *since) missed.push_back(event);
      }
      subscription.missed = std::move(missed);
    }
  }
  if (first) first(subscription);
  subscribers_.emplace(subscription.id, std::move(subscriber));
  return subscription;
}

void EventHub::Unsubscribe(std::int64_t id) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(id);
}

void EventHub::Clear() {
  std::lock_guard lock(mutex_);
  subscribers_.clear();
}

std::int64_t EventHub::last_seq() const {
  std::lock_guard lock(mutex_);
  return next_seq_ - 1;
}

}  // namespace parley::app
