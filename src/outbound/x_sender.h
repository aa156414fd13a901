// X API v2 (https://api.x.com, or the account's api_base_url): replies and posts through
// POST /2/tweets, DMs through POST /2/dm_conversations/with/:participant_id/messages, hiding
// replies (PUT /2/tweets/:id/hidden), deleting the brand's posts (DELETE /2/tweets/:id) and likes
// (POST /2/users/:id/likes). Authenticated with the account's OAuth 2.0 user access token
// (credentials.access_token) as a bearer token.
#pragma once

#include "parley/outbound/sender.h"

namespace parley::outbound {

class XSender final : public Sender {
 public:
  explicit XSender(http::HttpClient& client) : client_(client) {}
  SendResult Send(const domain::OutboxItem& item, const domain::ChannelAccount& account,
                  core::Timestamp now) override;

 private:
  http::HttpClient& client_;
};

// Reads an X API v2 response into a result; `id_field` names the id of what was created in
// "data" (empty for actions that create nothing). Exposed for tests.
SendResult ReadXResponse(const http::ClientResponse& response, const std::string& id_field,
                         domain::OutboundKind kind, core::Timestamp now);

}  // namespace parley::outbound
