// Business time on a calendar (C3.4): opening periods per weekday, holidays, a time zone whose
// daylight-saving changes come from the tz database (cctz). SLA clocks count in it.
//
// Thread-safety: immutable after Create; safe to share.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parley/core/result.h"
#include "parley/domain/sla.h"

namespace parley::routing {

using core::Duration;
using core::Timestamp;

class BusinessTime {
 public:
  // Every instant counts (an SLA policy without business hours, an agent without a schedule).
  static BusinessTime WallClock();
  // Refused: an unknown time zone, a period that is empty or runs past midnight, a holiday that
  // is not a date, or a week with no opening period at all.
  static core::Result<BusinessTime> Create(const domain::BusinessCalendar& calendar);

  bool wall_clock() const { return impl_ == nullptr; }
  bool IsOpen(Timestamp t) const;
  // The instant at which `amount` of business time has passed since `from`. An amount of zero or
  // less is `from` itself.
  Timestamp Add(Timestamp from, Duration amount) const;
  // The business time within [from, to).
  Duration Between(Timestamp from, Timestamp to) const;
  // The first instant after `t` at which IsOpen changes; none for the wall clock.
  std::optional<Timestamp> NextChange(Timestamp t) const;

 private:
  struct Impl;
  explicit BusinessTime(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// "09:00-12:30" as minutes since midnight; errors say what is wrong.
core::Result<domain::TimeRange> ParseTimeRange(std::string_view text);

}  // namespace parley::routing
