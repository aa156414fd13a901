// Shared start-up steps of the subcommands: configuration and logging.
#pragma once

#include <optional>

#include "parley/cli/commands.h"
#include "parley/config/config.h"

namespace parley::cli {

// Loads the configuration, applies command-line overrides, and starts logging. On a bad
// configuration prints the exact key and reason to stderr and returns nullopt.
std::optional<config::Config> LoadAndPrepare(const ServeOptions& options);

}  // namespace parley::cli
