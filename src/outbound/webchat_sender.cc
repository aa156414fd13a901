#include "parley/outbound/webchat_sender.h"

#include <nlohmann/json.hpp>

namespace parley::outbound {

SendResult WebChatSender::Send(const domain::OutboxItem& item,
                               const domain::ChannelAccount& account, core::Timestamp now) {
  if (!domain::CarriesMessage(item.action.kind) ||
      item.action.kind == domain::OutboundKind::kTemplate) {
    return SendResult::Failed("unsupported", "web chat carries answers and messages only");
  }
  const std::string& visitor = item.action.recipient_platform_user_id;
  if (visitor.rfind("visitor:", 0) != 0 && visitor.rfind("user:", 0) != 0) {
    return SendResult::Failed("rejected", "the recipient is not a web chat visitor");
  }
  const std::string id = "parley-chat." + item.id.ToString();
  const nlohmann::json event = {{"type", "message"},
                                {"message",
                                 {{"id", id},
                                  {"direction", "outbound"},
                                  {"text", item.action.text},
                                  {"author", account.name},
                                  {"at", core::FormatIso8601(now)}}}};
  deliver_(account, visitor, event.dump());
  return SendResult::Sent(id);
}

}  // namespace parley::outbound
