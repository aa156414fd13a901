#include "parley/storage/memory_outbox.h"

#include <algorithm>

namespace parley::storage {

using domain::OutboxItem;
using domain::OutboxState;

core::Result<OutboxItem> MemoryOutbox::Enqueue(OutboxItem item) {
  outbox_rules::PrepareEnqueued(item);
  std::lock_guard lock(mutex_);
  item.id = domain::OutboxId(next_id_++);
  items_[item.id.value()] = item;
  return item;
}

core::Result<std::vector<OutboxItem>> MemoryOutbox::Claim(
    domain::Timestamp now, int limit, const std::function<void(OutboxItem&)>& prepare) {
  std::lock_guard lock(mutex_);
  std::vector<OutboxItem*> due;
  for (auto& [id, item] : items_) {
    if (item.state == OutboxState::kQueued && item.next_attempt_at <= now) due.push_back(&item);
  }
  std::stable_sort(due.begin(), due.end(), [](const OutboxItem* a, const OutboxItem* b) {
    return a->next_attempt_at < b->next_attempt_at;
  });
  if (due.size() > static_cast<std::size_t>(limit)) due.resize(static_cast<std::size_t>(limit));
  std::vector<OutboxItem> claimed;
  for (auto* item : due) {
    outbox_rules::MarkClaimed(*item);
    if (prepare) prepare(*item);
    claimed.push_back(*item);
  }
  return claimed;
}

core::Status MemoryOutbox::Finish(const OutboxItem& item) {
  std::lock_guard lock(mutex_);
  auto found = items_.find(item.id.value());
  if (found == items_.end()) {
    return core::MakeError(core::ErrorCode::kNotFound, "no outbox item " + item.id.ToString());
  }
  auto next = outbox_rules::Finished(found->second, item);
  PARLEY_TRY(next);
  found->second = std::move(next).value();
  return core::Ok();
}

core::Result<std::vector<OutboxItem>> MemoryOutbox::RecoverInDoubt(domain::Timestamp now) {
  std::lock_guard lock(mutex_);
  std::vector<OutboxItem> recovered;
  for (auto& [id, item] : items_) {
    if (item.state != OutboxState::kSending) continue;
    outbox_rules::MarkInDoubt(item, now);
    recovered.push_back(item);
  }
  return recovered;
}

core::Status MemoryOutbox::Update(domain::OutboxId id,
                                  const std::function<core::Status(OutboxItem&)>& change) {
  std::lock_guard lock(mutex_);
  auto found = items_.find(id.value());
  if (found == items_.end()) {
    return core::MakeError(core::ErrorCode::kNotFound, "no outbox item " + id.ToString());
  }
  OutboxItem next = found->second;
  PARLEY_TRY(change(next));
  found->second = std::move(next);
  return core::Ok();
}

core::Status MemoryOutbox::Requeue(domain::OutboxId id, domain::Timestamp at) {
  return Update(id, [&](OutboxItem& item) { return outbox_rules::Requeued(item, at); });
}

core::Status MemoryOutbox::Confirm(domain::OutboxId id, const std::string& platform_id,
                                   domain::Timestamp at) {
  return Update(id,
                [&](OutboxItem& item) { return outbox_rules::Confirmed(item, platform_id, at); });
}

core::Result<std::optional<OutboxItem>> MemoryOutbox::Get(domain::OutboxId id) {
  std::lock_guard lock(mutex_);
  auto found = items_.find(id.value());
  if (found == items_.end()) return std::optional<OutboxItem>();
  return std::optional<OutboxItem>(found->second);
}

core::Result<std::vector<OutboxItem>> MemoryOutbox::List(std::optional<OutboxState> state,
                                                         domain::OutboxId after, int limit) {
  std::lock_guard lock(mutex_);
  std::vector<OutboxItem> out;
  for (auto it = items_.upper_bound(after.value());
       it != items_.end() && out.size() < static_cast<std::size_t>(limit); ++it) {
    if (!state || it->second.state == *state) out.push_back(it->second);
  }
  return out;
}

core::Result<std::optional<domain::Timestamp>> MemoryOutbox::NextDue() {
  std::lock_guard lock(mutex_);
  std::optional<domain::Timestamp> earliest;
  for (const auto& [id, item] : items_) {
    if (item.state != OutboxState::kQueued) continue;
    if (!earliest || item.next_attempt_at < *earliest) earliest = item.next_attempt_at;
  }
  return earliest;
}

}  // namespace parley::storage
