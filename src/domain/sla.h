// Service levels: targets per channel and tier, counted on a business calendar (C3.4).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "parley/domain/channel.h"
#include "parley/domain/conversation.h"
#include "parley/domain/ids.h"

namespace parley::domain {

enum class SlaMetric { kFirstResponse, kNextResponse, kResolution };

template <>
struct EnumNames<SlaMetric> {
  static constexpr std::array<std::pair<SlaMetric, std::string_view>, 3> kNames{{
      {SlaMetric::kFirstResponse, "first_response"},
      {SlaMetric::kNextResponse, "next_response"},
      {SlaMetric::kResolution, "resolution"},
  }};
};

// One target. An empty channel or tier matches any; the most specific matching target wins.
struct SlaTarget {
  SlaMetric metric = SlaMetric::kFirstResponse;
  std::optional<ChannelKind> channel;
  std::optional<Tier> tier;
  Duration target{0};
  Duration warn_before{0};  // a warning event this long before the deadline

  bool operator==(const SlaTarget&) const = default;
};

struct SlaPolicy {
  SlaPolicyId id;
  WorkspaceId workspace_id;
  std::string name;
  bool business_hours = true;  // count on the team's calendar; false: wall clock
  std::vector<SlaTarget> targets;

  bool operator==(const SlaPolicy&) const = default;
};

// The defaults the seeds recommend: a serious problem acknowledged within 15 minutes on X and an
// hour on Facebook; others within an hour; resolution within a day.
SlaPolicy DefaultSlaPolicy(WorkspaceId workspace);

// The target for `metric` that best matches the channel and tier, if any.
std::optional<SlaTarget> FindTarget(const SlaPolicy& policy, SlaMetric metric, ChannelKind channel,
                                    Tier tier);

// Minutes since local midnight, [start, end).
struct TimeRange {
  int start_minute = 0;
  int end_minute = 0;

  bool operator==(const TimeRange&) const = default;
};

struct Holiday {
  std::string date;  // local date "2026-12-25"
  std::string name;

  bool operator==(const Holiday&) const = default;
};

struct BusinessCalendar {
  CalendarId id;
  WorkspaceId workspace_id;
  std::string name;
  std::string time_zone = "UTC";  // IANA name; daylight saving follows the tz database
  // Opening periods per weekday, Monday first; several periods a day allowed.
  std::array<std::vector<TimeRange>, 7> weekly;
  std::vector<Holiday> holidays;

  bool operator==(const BusinessCalendar&) const = default;
};

}  // namespace parley::domain
