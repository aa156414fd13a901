#include "parley/core/time.h"

#include <array>
#include <charconv>
#include <cstdio>

namespace parley::core {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

bool ParseInt(std::string_view text, int& out) {
  if (text.empty()) return false;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

std::optional<Timestamp> MakeTimestamp(int year, int month, int day, int hour, int minute,
                                       int second, int millis, int offset_minutes) {
  const year_month_day date{std::chrono::year(year),
                            std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  auto t = sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
           std::chrono::seconds(second) + Duration(millis) - std::chrono::minutes(offset_minutes);
  return std::chrono::time_point_cast<Duration>(t);
}

std::optional<Timestamp> ParseIso8601(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fff...](Z|+HH:MM|-HH:MM|+HHMM)
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ParseInt(s.substr(0, 4), year) || !ParseInt(s.substr(5, 2), month) ||
      !ParseInt(s.substr(8, 2), day) || !ParseInt(s.substr(11, 2), hour) ||
      !ParseInt(s.substr(14, 2), minute) || !ParseInt(s.substr(17, 2), second)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) millis *= 10;
  }
  if (pos >= s.size()) return std::nullopt;
  int offset = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    if (pos + 1 != s.size()) return std::nullopt;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '+' ? 1 : -1;
    std::string_view rest = s.substr(pos + 1);
    int hours = 0, minutes = 0;
    if (rest.size() == 5 && rest[2] == ':') {
      if (!ParseInt(rest.substr(0, 2), hours) || !ParseInt(rest.substr(3, 2), minutes)) {
        return std::nullopt;
      }
    } else if (rest.size() == 4) {
      if (!ParseInt(rest.substr(0, 2), hours) || !ParseInt(rest.substr(2, 2), minutes)) {
        return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
    offset = sign * (hours * 60 + minutes);
  } else {
    return std::nullopt;
  }
  return MakeTimestamp(year, month, day, hour, minute, second, millis, offset);
}

// 1..12 for "Jan".."Dec", 0 for anything else.
int MonthFromName(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (name == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

std::optional<Timestamp> ParseTwitterDate(std::string_view s) {
  // "Wed Oct 10 20:19:24 +0000 2018"
  if (s.size() != 30 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ' ||
      s[25] != ' ') {
    return std::nullopt;
  }
  const int month = MonthFromName(s.substr(4, 3));
  int day = 0, hour = 0, minute = 0, second = 0, year = 0, offset_hours = 0, offset_minutes = 0;
  if (month == 0 || !ParseInt(s.substr(8, 2), day) || !ParseInt(s.substr(11, 2), hour) ||
      !ParseInt(s.substr(14, 2), minute) || !ParseInt(s.substr(17, 2), second) ||
      !ParseInt(s.substr(26, 4), year) || (s[20] != '+' && s[20] != '-') ||
      !ParseInt(s.substr(21, 2), offset_hours) || !ParseInt(s.substr(23, 2), offset_minutes)) {
    return std::nullopt;
  }
  const int offset = (s[20] == '+' ? 1 : -1) * (offset_hours * 60 + offset_minutes);
  return MakeTimestamp(year, month, day, hour, minute, second, 0, offset);
}

}  // namespace

std::optional<Timestamp> ParseHttpDate(std::string_view s) {
  // "Wed, 21 Oct 2015 07:28:00 GMT" (RFC 9110 IMF-fixdate)
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  const int month = MonthFromName(s.substr(8, 3));
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (month == 0 || !ParseInt(s.substr(5, 2), day) || !ParseInt(s.substr(12, 4), year) ||
      !ParseInt(s.substr(17, 2), hour) || !ParseInt(s.substr(20, 2), minute) ||
      !ParseInt(s.substr(23, 2), second)) {
    return std::nullopt;
  }
  return MakeTimestamp(year, month, day, hour, minute, second, 0, 0);
}

std::string FormatIso8601(Timestamp t) {
  const auto day_start = std::chrono::floor<days>(t);
  const year_month_day date{day_start};
  const std::chrono::hh_mm_ss time_of_day{t - day_start};
  std::array<char, 32> buffer{};
  const int n = std::snprintf(buffer.data(), buffer.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                              static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                              static_cast<unsigned>(date.day()),
                              static_cast<int>(time_of_day.hours().count()),
                              static_cast<int>(time_of_day.minutes().count()),
                              static_cast<int>(time_of_day.seconds().count()),
                              static_cast<int>(time_of_day.subseconds().count()));
  return std::string(buffer.data(), static_cast<std::size_t>(n));
}

std::optional<Timestamp> ParseTimestamp(std::string_view text) {
  if (auto iso = ParseIso8601(text)) return iso;
  return ParseTwitterDate(text);
}

}  // namespace parley::core
