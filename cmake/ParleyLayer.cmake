# One static library per layer of the server. A layer's headers are reachable as
# "parley/<layer>/<file>.h" only by targets that link the layer, so an include that points the
# wrong way (domain including storage, say) fails to build: the header is not on its include path.

add_library(parley_build_flags INTERFACE)
target_compile_options(parley_build_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  # GCC 12 reports false -Wrestrict positives inside libstdc++'s string concatenation at -O3
  # (GCC bug 105329, fixed in GCC 13).
  target_compile_options(parley_build_flags INTERFACE -Wno-restrict)
endif()
if(PARLEY_WARNINGS_AS_ERRORS)
  target_compile_options(parley_build_flags INTERFACE -Werror)
endif()
if(PARLEY_SANITIZERS)
  target_compile_options(parley_build_flags INTERFACE
    -fsanitize=${PARLEY_SANITIZERS} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(parley_build_flags INTERFACE -fsanitize=${PARLEY_SANITIZERS})
  if(PARLEY_SANITIZERS MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # Asio uses std::atomic_thread_fence, which GCC warns ThreadSanitizer does not model; the
    # fences sit next to atomics TSan does see.
    target_compile_options(parley_build_flags INTERFACE -Wno-tsan)
  endif()
endif()

# parley_layer(<name> [INCLUDE_AS <path>] SOURCES ... [PUBLIC ...] [PRIVATE ...])
# Creates the library parley_<name>; its folder's headers are included as "parley/<path>/x.h",
# where <path> defaults to <name> (e.g. INCLUDE_AS storage/sqlite for src/storage/sqlite).
function(parley_layer name)
  cmake_parse_arguments(ARG "" "INCLUDE_AS" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  if(NOT ARG_INCLUDE_AS)
    set(ARG_INCLUDE_AS ${name})
  endif()
  set(include_root "${PROJECT_BINARY_DIR}/include_roots/${name}")
  get_filename_component(link_parent "${include_root}/parley/${ARG_INCLUDE_AS}" DIRECTORY)
  file(MAKE_DIRECTORY "${link_parent}")
  file(CREATE_LINK "${CMAKE_CURRENT_SOURCE_DIR}" "${include_root}/parley/${ARG_INCLUDE_AS}"
       SYMBOLIC)
  add_library(parley_${name} STATIC ${ARG_SOURCES})
  target_include_directories(parley_${name} PUBLIC "${include_root}")
  target_link_libraries(parley_${name} PUBLIC ${ARG_PUBLIC} PRIVATE parley_build_flags ${ARG_PRIVATE})
endfunction()

# parley_unit_test(<name> SOURCES ... LIBS ...): one GoogleTest binary, registered with CTest.
function(parley_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE parley_build_flags ${ARG_LIBS} GTest::gtest GTest::gmock
                                        GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "PARLEY_SHARED_DATA=${PROJECT_SOURCE_DIR}/../shared/data"
    TIMEOUT 300)
endfunction()
