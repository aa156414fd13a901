#include "parley/core/version.h"

namespace parley::core {

std::string_view Version() { return PARLEY_VERSION; }

}  // namespace parley::core
