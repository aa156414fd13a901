// A conversation is one customer's case: a thread that may cross channels (a public mention, the
// DM that followed, an email, and the public close-out).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parley/core/result.h"
#include "parley/domain/channel.h"
#include "parley/domain/ids.h"
#include "parley/domain/lifecycle.h"

namespace parley::domain {

// Priority tier of the framework in PRODUCT.md C2.3: tier 1 needs attention first, tier 2 is
// worth a look, tier 0 is noise.
enum class Tier { kNoise = 0, kTier1 = 1, kTier2 = 2 };

template <>
struct EnumNames<Tier> {
  static constexpr std::array<std::pair<Tier, std::string_view>, 3> kNames{{
      {Tier::kNoise, "noise"},
      {Tier::kTier1, "tier1"},
      {Tier::kTier2, "tier2"},
  }};
};

// The deadlines that apply to a conversation now. The effective deadline is the earliest.
struct SlaDeadlines {
  std::optional<Timestamp> first_response_due;
  std::optional<Timestamp> next_response_due;
  std::optional<Timestamp> resolution_due;
  std::optional<Timestamp> reply_window_closes;  // the platform's own (WhatsApp 24 h)

  std::optional<Timestamp> Earliest() const;
  bool operator==(const SlaDeadlines&) const = default;
};

// An agent considered for an assignment who did not get it, and why (C3.6).
struct PassedOver {
  AgentId agent;
  std::string why_not;  // "at cap 5/5", "lacks language es", "away"

  bool operator==(const PassedOver&) const = default;
};

// One assignment of the conversation, as it was decided (C3.6).
struct Assignment {
  AgentId agent;
  Timestamp at;
  std::string reason;
  std::vector<PassedOver> passed_over;

  bool operator==(const Assignment&) const = default;
};

struct Conversation {
  ConversationId id;
  WorkspaceId workspace_id;
  CustomerId customer_id;
  ConversationStatus status = ConversationStatus::kQueued;

  int priority = 0;  // 0..100, higher first
  Tier tier = Tier::kTier2;
  std::vector<std::string> priority_reasons;  // "dissatisfied", "influencer 48k followers"
  std::string category;
  std::vector<std::string> tags;
  std::string language;             // ISO 639-1 of the customer's first message, empty if unknown
  std::optional<double> sentiment;  // of the customer's latest message (1–10), if triaged

  TeamId team_id;
  AgentId assignee_id;
  AgentId last_assignee_id;  // for stickiness after unassignment or resolution
  // Why the assignee got it ("skills es+billing, load 2/5, least loaded") and why not the others
  // considered: recorded with every assignment (C3.6).
  std::string assignment_reason;
  std::vector<PassedOver> passed_over;
  std::vector<Assignment> assignments;  // every assignment, oldest first (the latest 50)

  std::vector<ChannelKind> channels;  // every channel the thread has touched, in order of first use
  SlaDeadlines sla;
  std::string resolution_code;

  Timestamp opened_at;
  Timestamp updated_at;
  std::optional<Timestamp> assigned_at;
  std::optional<Timestamp> first_response_at;
  std::optional<Timestamp> resolved_at;
  std::optional<Timestamp> last_customer_message_at;
  std::optional<Timestamp> last_agent_message_at;
  // When the customer last reopened it (SLA clocks count from here), and whether the thread is
  // private (a DM: the platform's reply window applies).
  std::optional<Timestamp> reopened_at;
  bool private_thread = false;
  std::int64_t message_count = 0;

  // Incremented on every change. A write based on an older version is refused as stale (C3.5).
  std::int64_t version = 0;

  bool operator==(const Conversation&) const = default;
};

// Moves the conversation to `to` through the lifecycle table, maintaining the fields that go with
// each state (assignee, resolved_at, resolution code) and the version. REQUIRES: for kAssigned,
// `assignee` is valid.
core::Status MoveConversation(Conversation& conversation, ConversationStatus to, Timestamp now,
                              AgentId assignee = AgentId());

// Records that a message joined the conversation: counters, channels, timestamps, and the status
// change a message implies (a customer writing reopens a resolved conversation and ends the wait
// on the customer; an agent's reply moves it to waiting on the customer).
core::Status RecordMessage(Conversation& conversation, ChannelKind channel, Direction direction,
                           Timestamp at);

}  // namespace parley::domain
