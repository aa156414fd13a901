#include "parley/domain/webhook.h"

namespace parley::domain {

bool Wants(const WebhookSubscription& subscription, std::string_view type) {
  if (subscription.events.empty()) return true;
  for (const std::string& wanted : subscription.events) {
    if (wanted == type || wanted == "*") return true;
    // "conversation.*" wants every "conversation.…".
    if (wanted.size() >= 2 && wanted.ends_with(".*") &&
        type.starts_with(std::string_view(wanted).substr(0, wanted.size() - 1))) {
      return true;
    }
  }
  return false;
}

}  // namespace parley::domain
