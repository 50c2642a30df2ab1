# Warnings and sanitizers shared by every target, through one interface library.
add_library(ignite_settings INTERFACE)
target_compile_options(ignite_settings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                 -Wnon-virtual-dtor -Wimplicit-fallthrough)
if(IGNITE_WERROR)
  target_compile_options(ignite_settings INTERFACE -Werror)
endif()
# Every include is spelled from the repository root: "builder/util/status.h".
target_include_directories(ignite_settings INTERFACE ${PROJECT_SOURCE_DIR})

if(IGNITE_SANITIZE)
  set(IGNITE_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
                             -fno-omit-frame-pointer)
  add_compile_options(${IGNITE_SANITIZER_FLAGS})
  add_link_options(${IGNITE_SANITIZER_FLAGS})
endif()

if(IGNITE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "IGNITE_FUZZ needs clang (CXX=clang++)")
  endif()
  # Everything is instrumented for coverage; only the fuzz executables link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
