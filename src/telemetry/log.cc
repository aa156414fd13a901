#include "parley/telemetry/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "parley/core/clock.h"

namespace parley::telemetry {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};
std::atomic<LogLevel> g_level{LogLevel::kInfo};

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void AppendValue(std::string& out, const LogField& field, bool json) {
  std::visit(
      [&](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          const bool plain = !value.empty() && value.find_first_of(" \"=\n\\") == value.npos;
          if (json || !plain) {
            AppendJsonString(out, value);
          } else {
            out += value;
          }
        } else if constexpr (std::is_same_v<T, bool>) {
          out += value ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          char buffer[32];
          std::snprintf(buffer, sizeof buffer, "%.6g", value);
          out += buffer;
        } else {
          out += std::to_string(value);
        }
      },
      field.value);
}

std::shared_ptr<spdlog::logger> Logger() {
  static std::once_flag once;
  static std::shared_ptr<spdlog::logger> logger;
  std::call_once(once, [] {
    logger = std::make_shared<spdlog::logger>("parley",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::trace);
    logger->flush_on(spdlog::level::trace);
  });
  return logger;
}

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view text) {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (LevelName(level) == text) return level;
  }
  return std::nullopt;
}

std::optional<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "json") return LogFormat::kJson;
  if (text == "text") return LogFormat::kText;
  return std::nullopt;
}

void InitLogging(LogFormat format, LogLevel level) {
  g_format.store(format);
  g_level.store(level);
  Logger();
}

std::string FormatLogLine(LogFormat format, LogLevel level, std::string_view event,
                          std::initializer_list<LogField> fields) {
  std::string line;
  if (format == LogFormat::kJson) {
    line += "{\"level\":\"";
    line += LevelName(level);
    line += "\",\"event\":";
    AppendJsonString(line, event);
    for (const auto& field : fields) {
      line += ',';
      AppendJsonString(line, field.key);
      line += ':';
      AppendValue(line, field, true);
    }
    line += '}';
  } else {
    line += LevelName(level);
    line += ' ';
    line += event;
    for (const auto& field : fields) {
      line += ' ';
      line += field.key;
      line += '=';
      AppendValue(line, field, false);
    }
  }
  return line;
}

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (level < g_level.load(std::memory_order_relaxed)) return;
  const LogFormat format = g_format.load(std::memory_order_relaxed);
  const std::string stamp = core::FormatIso8601(core::SystemClock::Instance().Now());
  std::string body = FormatLogLine(format, level, event, fields);
  std::string line;
  if (format == LogFormat::kJson) {
    line = "{\"ts\":\"";
    line += stamp;
    line += "\",";
    line += std::string_view(body).substr(1);
  } else {
    line = stamp;
    line += ' ';
    line += body;
  }
  Logger()->log(ToSpdlog(level), line);
}

}  // namespace parley::telemetry
