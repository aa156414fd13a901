#include "parley/cli/setup.h"

#include <iostream>

#include "parley/telemetry/log.h"

namespace parley::cli {

std::optional<config::Config> LoadAndPrepare(const ServeOptions& options) {
  auto config = config::LoadConfig(options.config_path, config::ProcessEnvironment());
  if (!config.ok()) {
    std::cerr << "parley: invalid configuration: " << config.error().message << "\n";
    return std::nullopt;
  }
  if (options.port) config->server.port = *options.port;
  if (options.data_dir) config->storage.data_dir = *options.data_dir;
  telemetry::InitLogging(*telemetry::ParseLogFormat(config->log.format),
                         *telemetry::ParseLogLevel(config->log.level));
  return std::move(config).value();
}

}  // namespace parley::cli
