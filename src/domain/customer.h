// A customer is a person, known through one or more platform identities.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "parley/domain/channel.h"
#include "parley/domain/ids.h"

namespace parley::domain {

// Who someone is on one platform.
struct Identity {
  ChannelKind channel = ChannelKind::kGeneric;
  std::string platform_user_id;  // stable id on the platform (X user id, PSID, phone, address)
  std::string handle;            // "@jane", a phone number, an email address
  std::string display_name;
  std::int64_t followers = 0;  // reach, where the platform tells it
  bool verified = false;

  bool operator==(const Identity&) const = default;
};

struct Customer {
  CustomerId id;
  WorkspaceId workspace_id;
  std::string display_name;
  std::vector<Identity> identities;  // linked identities of one person; merged/split by hand
  std::string key_customer_tier;     // from the CRM list: "", "gold", "platinum", ...
  std::map<std::string, std::string> attributes;  // CRM attributes
  Timestamp first_seen_at;
  Timestamp last_contact_at;

  bool operator==(const Customer&) const = default;
};

}  // namespace parley::domain
