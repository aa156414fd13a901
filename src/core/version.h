// The version of this build, as set in the top-level CMakeLists.txt.
#pragma once

#include <string_view>

namespace parley::core {

std::string_view Version();

}  // namespace parley::core
