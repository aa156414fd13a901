// A workspace is one brand: the unit of data ownership, permissions and partitioning (each
// workspace has one live engine). Channel accounts connect it to platforms.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "parley/domain/channel.h"
#include "parley/domain/ids.h"

namespace parley::domain {

struct Workspace {
  WorkspaceId id;
  std::string slug;       // short, url-safe, unique: "acme-air"
  std::string name;       // "Acme Air"
  std::string time_zone;  // IANA name for reports and default calendars: "Europe/London"
  // The brand's own handles on every channel; their posts are not customer mentions.
  std::vector<std::string> brand_handles;
  // Competitors' public care handles, for benchmarking (C7.6).
  std::vector<std::string> competitor_handles;
  // Where a conversation goes that triage sends to no team (none: the first team).
  TeamId default_team_id;
  Timestamp created_at;
  // The codes an agent picks from when resolving ("refunded", "delivered", "no_action"); empty:
  // any text, or none.
  std::vector<std::string> resolution_codes;

  bool operator==(const Workspace&) const = default;
};

// One connected account on one platform: an X handle, a Facebook page, a WhatsApp number, a
// mailbox, a chat widget, or a generic source.
struct ChannelAccount {
  ChannelAccountId id;
  WorkspaceId workspace_id;
  ChannelKind kind = ChannelKind::kGeneric;
  std::string name;                 // for people: "@AcmeAirHelp"
  std::string platform_account_id;  // the platform's id: user id, page id, phone number id
  std::string api_base_url;         // outbound REST base; tests point it at a local fake
  std::string inbound_url;          // email: the IMAP mailbox Parley reads (imap://host/INBOX)
  // Secrets and tokens by name. Which names a kind uses is documented in docs/configuration.md
  // (consumer_secret, app_secret, verify_token, access_token, ...). Never logged.
  std::map<std::string, std::string> credentials;
  bool enabled = true;

  bool operator==(const ChannelAccount&) const = default;
};

}  // namespace parley::domain
