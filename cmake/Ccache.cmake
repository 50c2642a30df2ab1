# Use ccache for every compile when it is installed: rebuilds on 2 cores stay fast.
#
# CCACHE_BASEDIR makes the absolute paths under the source tree relative before hashing, and
# CCACHE_NOHASHDIR leaves the working directory out of the hash of -g compiles, so a second
# checkout of the same commit (CI's fresh clone, a worktree, another build directory) hits the
# cache instead of compiling everything again. The price: debug info names the directory of
# whichever checkout compiled an object first (debuggers are pointed with `directory`).
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(ccache_launcher ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${CMAKE_SOURCE_DIR} CCACHE_NOHASHDIR=1
                      ${CCACHE_PROGRAM})
  set(CMAKE_C_COMPILER_LAUNCHER ${ccache_launcher})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${ccache_launcher})
endif()
