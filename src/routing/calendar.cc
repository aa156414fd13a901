#include "parley/routing/calendar.h"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>

namespace parley::routing {
namespace {

using Day = cctz::civil_day;

// How far ahead a calendar is searched for open time: a closed stretch longer than this (a
// calendar that is all holidays) counts as never opening.
constexpr int kHorizonDays = 800;

// Monday first, as BusinessCalendar::weekly and as cctz orders its weekdays.
std::size_t WeekdayIndex(Day day) { return static_cast<std::size_t>(cctz::get_weekday(day)); }

std::optional<Day> ParseDay(std::string_view text) {
  int y = 0;
  int m = 0;
  int d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const char* s = text.data();
  if (std::from_chars(s, s + 4, y).ptr != s + 4 || std::from_chars(s + 5, s + 7, m).ptr != s + 7 ||
      std::from_chars(s + 8, s + 10, d).ptr != s + 10) {
    return std::nullopt;
  }
  const Day day(y, m, d);
  if (day.month() != m || day.day() != d) return std::nullopt;  // 2026-02-30 normalises away
  return day;
}

}  // namespace

struct BusinessTime::Impl {
  cctz::time_zone zone;
  std::array<std::vector<domain::TimeRange>, 7> weekly;
  std::set<Day> holidays;

  struct Interval {
    Timestamp start;
    Timestamp end;
  };

  Timestamp Absolute(Day day, int minute) const {
    const cctz::civil_second local = cctz::civil_second(day) + minute * 60;
    const auto point = cctz::convert(local, zone);
    return std::chrono::time_point_cast<Duration>(point);
  }

  // The open intervals of one local day, in order. A period in a skipped hour starts when the
  // clock jumps; a repeated hour counts once per pass, as the tz database lays it out.
  void OpenIntervals(Day day, std::vector<Interval>& out) const {
    out.clear();
    if (holidays.contains(day)) return;
    for (const auto& range : weekly[WeekdayIndex(day)]) {
      const Timestamp start = Absolute(day, range.start_minute);
      const Timestamp end = Absolute(day, range.end_minute);
      if (end > start) out.push_back({start, end});
    }
  }

  Day LocalDay(Timestamp t) const {
    return Day(cctz::convert(std::chrono::time_point_cast<std::chrono::seconds>(t), zone));
  }
};

BusinessTime BusinessTime::WallClock() { return BusinessTime(nullptr); }

core::Result<domain::TimeRange> ParseTimeRange(std::string_view text) {
  auto minutes = [](std::string_view hm) -> std::optional<int> {
    int h = 0;
    int m = 0;
    if (hm.size() != 5 || hm[2] != ':') return std::nullopt;
    if (std::from_chars(hm.data(), hm.data() + 2, h).ptr != hm.data() + 2 ||
        std::from_chars(hm.data() + 3, hm.data() + 5, m).ptr != hm.data() + 5 || h < 0 || h > 24 ||
        m < 0 || m > 59 || (h == 24 && m != 0)) {
      return std::nullopt;
    }
    return h * 60 + m;
  };
  const auto dash = text.find('-');
  const auto start = dash == std::string_view::npos ? std::nullopt : minutes(text.substr(0, dash));
  const auto end = dash == std::string_view::npos ? std::nullopt : minutes(text.substr(dash + 1));
  if (!start || !end) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "\"" + std::string(text) + "\": expected a period like \"09:00-17:30\"");
  }
  if (*end <= *start) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "\"" + std::string(text) +
                               "\": a period must end after it starts on the same day (split a "
                               "night shift at midnight)");
  }
  return domain::TimeRange{*start, *end};
}

core::Result<BusinessTime> BusinessTime::Create(const domain::BusinessCalendar& calendar) {
  auto impl = std::make_shared<Impl>();
  const std::string where = "calendar \"" + calendar.name + "\": ";
  if (!cctz::load_time_zone(calendar.time_zone, &impl->zone)) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           where + "unknown time zone \"" + calendar.time_zone + "\"");
  }
  bool any = false;
  for (std::size_t d = 0; d < 7; ++d) {
    auto ranges = calendar.weekly[d];
    for (const auto& range : ranges) {
      if (range.start_minute < 0 || range.end_minute > 24 * 60 ||
          range.end_minute <= range.start_minute) {
        return core::MakeError(core::ErrorCode::kInvalidArgument,
                               where + "a period must lie within one day and end after it starts");
      }
    }
    std::sort(ranges.begin(), ranges.end(),
              [](const auto& a, const auto& b) { return a.start_minute < b.start_minute; });
    for (std::size_t i = 1; i < ranges.size(); ++i) {
      if (ranges[i].start_minute < ranges[i - 1].end_minute) {
        return core::MakeError(core::ErrorCode::kInvalidArgument,
                               where + "opening periods of one day overlap");
      }
    }
    any = any || !ranges.empty();
    impl->weekly[d] = std::move(ranges);
  }
  if (!any) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           where + "no opening period on any day of the week");
  }
  for (const auto& holiday : calendar.holidays) {
    const auto day = ParseDay(holiday.date);
    if (!day) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             where + "holiday \"" + holiday.date + "\" is not a date YYYY-MM-DD");
    }
    impl->holidays.insert(*day);
  }
  return BusinessTime(std::move(impl));
}

bool BusinessTime::IsOpen(Timestamp t) const {
  if (!impl_) return true;
  std::vector<Impl::Interval> intervals;
  const Day today = impl_->LocalDay(t);
  for (Day day = today - 1; day <= today; ++day) {  // a period may end after a DST shift
    impl_->OpenIntervals(day, intervals);
    for (const auto& interval : intervals) {
      if (interval.start <= t && t < interval.end) return true;
    }
  }
  return false;
}

Timestamp BusinessTime::Add(Timestamp from, Duration amount) const {
  if (amount <= Duration::zero()) return from;
  if (!impl_) return from + amount;
  std::vector<Impl::Interval> intervals;
  const Day first = impl_->LocalDay(from) - 1;
  for (Day day = first; day < first + kHorizonDays; ++day) {
    impl_->OpenIntervals(day, intervals);
    for (const auto& interval : intervals) {
      const Timestamp start = std::max(interval.start, from);
      if (interval.end <= start) continue;
      const Duration open = interval.end - start;
      if (amount <= open) return start + amount;
      amount -= open;
    }
  }
  return Timestamp::max();
}

Duration BusinessTime::Between(Timestamp from, Timestamp to) const {
  if (to <= from) return Duration::zero();
  if (!impl_) return to - from;
  Duration total{0};
  std::vector<Impl::Interval> intervals;
  const Day last = impl_->LocalDay(to);
  for (Day day = impl_->LocalDay(from) - 1; day <= last; ++day) {
    impl_->OpenIntervals(day, intervals);
    for (const auto& interval : intervals) {
      const Timestamp start = std::max(interval.start, from);
      const Timestamp end = std::min(interval.end, to);
      if (end > start) total += end - start;
    }
  }
  return total;
}

std::optional<Timestamp> BusinessTime::NextChange(Timestamp t) const {
  if (!impl_) return std::nullopt;
  std::vector<Impl::Interval> intervals;
  const Day first = impl_->LocalDay(t) - 1;
  for (Day day = first; day < first + kHorizonDays; ++day) {
    impl_->OpenIntervals(day, intervals);
    for (const auto& interval : intervals) {
      if (interval.start > t) return interval.start;
      if (interval.end > t) return interval.end;
    }
  }
  return std::nullopt;
}

}  // namespace parley::routing
