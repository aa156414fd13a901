// The Meta Graph API (https://graph.facebook.com/v21.0, or the account's api_base_url, which
// includes the version) for Facebook pages, Instagram business accounts and the WhatsApp Cloud
// API. The account's platform_account_id is the page id, the Instagram user id or the WhatsApp
// phone number id; credentials.access_token is the page (or system user) token, sent as a bearer
// token.
//
//   Facebook   reply          POST /{comment or post id}/comments   {"message"}
//              private_reply  POST /{page id}/messages {"recipient":{"comment_id"},"message"}
//              direct_message POST /{page id}/messages {"recipient":{"id"},"messaging_type":
//                             "RESPONSE","message":{"text","metadata"}}
//              hide/unhide    POST /{comment id} {"is_hidden"};  delete  DELETE /{comment id}
//              like           POST /{object id}/likes
//   Instagram  reply          POST /{comment id}/replies {"message"}
//              private_reply  POST /me/messages {"recipient":{"comment_id"},"message"}
//              direct_message POST /me/messages {"recipient":{"id"},"message"}
//              (/me is the page with a page token on graph.facebook.com, and the Instagram
//              account with an Instagram token on graph.instagram.com)
//              hide/unhide    POST /{comment id} {"hide"};  delete  DELETE /{comment id}
//   WhatsApp   reply, direct_message  POST /{phone number id}/messages, type text, with
//                             "context" when replying to a message; template  type template
#pragma once

#include "parley/outbound/sender.h"

namespace parley::outbound {

class MetaSender final : public Sender {
 public:
  explicit MetaSender(http::HttpClient& client) : client_(client) {}
  SendResult Send(const domain::OutboxItem& item, const domain::ChannelAccount& account,
                  core::Timestamp now) override;

 private:
  http::HttpClient& client_;
};

// Reads a Graph API response; the created object's id is "id", "message_id" or WhatsApp's
// "messages"[0]."id". Exposed for tests.
SendResult ReadGraphResponse(const http::ClientResponse& response, domain::OutboundKind kind,
                             core::Timestamp now);

}  // namespace parley::outbound
