// Outgoing webhooks (issue 6, C8): an integration subscribes to a workspace's live events and
// Parley POSTs each one to its URL, signed with the subscription's secret, retrying with backoff
// and keeping a log of every delivery.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "parley/domain/enum_names.h"
#include "parley/domain/ids.h"

namespace parley::domain {

struct WebhookSubscription {
  WebhookId id;
  WorkspaceId workspace_id;
  std::string url;  // http(s)://...
  // The event types it wants ("conversation.assigned"), or a family ("conversation.*"); empty:
  // every event.
  std::vector<std::string> events;
  std::string description;
  // Signs every delivery (HMAC-SHA256). Shown once, when the subscription is created.
  std::string secret;
  bool enabled = true;
  Timestamp created_at;

  bool operator==(const WebhookSubscription&) const = default;
};

// Whether the subscription wants events of `type`.
bool Wants(const WebhookSubscription& subscription, std::string_view type);

// queued -> sent | queued (retry later) -> ... -> failed (after the last attempt).
enum class DeliveryState { kQueued, kSent, kFailed };

template <>
struct EnumNames<DeliveryState> {
  static constexpr std::array<std::pair<DeliveryState, std::string_view>, 3> kNames{{
      {DeliveryState::kQueued, "queued"},
      {DeliveryState::kSent, "sent"},
      {DeliveryState::kFailed, "failed"},
  }};
};

struct WebhookDelivery {
  WebhookDeliveryId id;
  WorkspaceId workspace_id;
  WebhookId webhook_id;
  std::string event;  // its type
  std::string body;   // the exact bytes sent, the same at every attempt
  DeliveryState state = DeliveryState::kQueued;
  int attempts = 0;
  Timestamp created_at;
  Timestamp next_attempt_at;
  std::optional<Timestamp> finished_at;
  int last_status = 0;     // the receiver's HTTP status; 0: no answer
  std::string last_error;  // why the last attempt failed
  std::int64_t last_duration_ms = 0;

  bool operator==(const WebhookDelivery&) const = default;
};

}  // namespace parley::domain
