// Time as Parley stores and exchanges it: UTC milliseconds since the Unix epoch.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::core {

using Duration = std::chrono::milliseconds;
using Timestamp = std::chrono::time_point<std::chrono::system_clock, Duration>;

inline std::int64_t ToMillis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromMillis(std::int64_t ms) { return Timestamp(Duration(ms)); }

// "2026-11-23T04:35:42.123Z". Always UTC, always millisecond precision.
std::string FormatIso8601(Timestamp t);

// Accepts RFC 3339 / ISO 8601 date-times with a 'Z' or a numeric offset and optional fractional
// seconds ("2026-11-23T04:35:42Z", "2026-11-23T05:35:42.5+01:00"), and the RFC 2822-like form X's
// v1.1 API uses ("Wed Oct 10 20:19:24 +0000 2018"). Returns nullopt for anything else.
std::optional<Timestamp> ParseTimestamp(std::string_view text);

// The HTTP date form (RFC 9110 IMF-fixdate: "Wed, 21 Oct 2015 07:28:00 GMT"), as in Retry-After.
std::optional<Timestamp> ParseHttpDate(std::string_view text);

}  // namespace parley::core
