# Finding the real libraries alloclab measures and uses. A missing optional one
# turns its feature off with a message that names the package to install;
# the top-level Makefile installs them first when it can (scripts/deps.sh).

# jemalloc: the static archive, every global symbol renamed alje_*, so that
# linking it in does not replace the process's malloc (see src/backends/je.c).
pkg_check_modules(JEMALLOC QUIET jemalloc)
find_file(ALLOCLAB_JE_ARCHIVE NAMES libjemalloc_pic.a
          HINTS ${JEMALLOC_LIBDIR} PATH_SUFFIXES lib lib/${CMAKE_LIBRARY_ARCHITECTURE})
find_program(NM_TOOL NAMES ${CMAKE_NM} nm)
find_program(OBJCOPY_TOOL NAMES ${CMAKE_OBJCOPY} objcopy)
set(ALLOCLAB_HAVE_JE OFF)
set(ALLOCLAB_JE_LINK "")
if(JEMALLOC_FOUND AND ALLOCLAB_JE_ARCHIVE AND NM_TOOL AND OBJCOPY_TOOL)
  set(je_renamed ${CMAKE_BINARY_DIR}/liballoclab_jemalloc.a)
  add_custom_command(OUTPUT ${je_renamed}
    COMMAND ${CMAKE_COMMAND} -DNM=${NM_TOOL} -DOBJCOPY=${OBJCOPY_TOOL}
            -DIN=${ALLOCLAB_JE_ARCHIVE} -DOUT=${je_renamed} -DPREFIX=alje_
            -P ${CMAKE_SOURCE_DIR}/cmake/rename_symbols.cmake
    DEPENDS ${ALLOCLAB_JE_ARCHIVE} ${CMAKE_SOURCE_DIR}/cmake/rename_symbols.cmake
    COMMENT "Renaming jemalloc's symbols (alje_*)")
  add_custom_target(alloclab_jemalloc_renamed DEPENDS ${je_renamed})
  add_library(alloclab_jemalloc STATIC IMPORTED GLOBAL)
  set_target_properties(alloclab_jemalloc PROPERTIES IMPORTED_LOCATION ${je_renamed})
  add_dependencies(alloclab_jemalloc alloclab_jemalloc_renamed)
  set(ALLOCLAB_HAVE_JE ON)
  set(ALLOCLAB_JE_LINK alloclab_jemalloc)
  message(STATUS "jemalloc ${JEMALLOC_VERSION}: ${ALLOCLAB_JE_ARCHIVE}")
else()
  message(WARNING "jemalloc not found: the 'je' backend is off. Install it: apt-get install libjemalloc-dev")
endif()

# mimalloc and tcmalloc are opened at run time (dlopen, RTLD_LOCAL) by soname;
# their presence here is only checked so the build can say what is missing.
set(ALLOCLAB_MI_SONAME "libmimalloc.so.2" CACHE STRING "mimalloc's shared library")
set(ALLOCLAB_TC_SONAME "libtcmalloc_minimal.so.4" CACHE STRING "tcmalloc's shared library")
find_library(ALLOCLAB_MI_LIB NAMES ${ALLOCLAB_MI_SONAME} mimalloc)
if(NOT ALLOCLAB_MI_LIB)
  message(WARNING "mimalloc not found: the 'mi' backend will be unavailable. Install it: apt-get install libmimalloc-dev")
endif()
pkg_check_modules(TCMALLOC QUIET libtcmalloc_minimal)
if(NOT TCMALLOC_FOUND)
  message(WARNING "tcmalloc not found: the 'tc' backend will be unavailable. Install it: apt-get install libgoogle-perftools-dev")
endif()

# alloclab run preloads the allocators' Debian shared libraries into whole
# programs (jemalloc's from libjemalloc2, tcmalloc's minimal build).
foreach(lib JE:libjemalloc.so.2:libjemalloc2 MI:${ALLOCLAB_MI_SONAME}:libmimalloc2.0
            TC:${ALLOCLAB_TC_SONAME}:libgoogle-perftools4)
  string(REPLACE ":" ";" parts ${lib})
  list(GET parts 0 var)
  list(GET parts 1 soname)
  list(GET parts 2 pkg)
  find_library(ALLOCLAB_RUN_${var}_SO NAMES ${soname})
  if(NOT ALLOCLAB_RUN_${var}_SO)
    set(ALLOCLAB_RUN_${var}_SO "")
    message(WARNING "${soname} not found: alloclab run cannot preload it. Install it: apt-get install ${pkg}")
  endif()
endforeach()

# Tests: cmocka.
pkg_check_modules(CMOCKA QUIET cmocka)
set(ALLOCLAB_HAVE_CMOCKA ${CMOCKA_FOUND})
if(NOT CMOCKA_FOUND)
  message(WARNING "cmocka not found: tests are off. Install it: apt-get install libcmocka-dev")
endif()

# Benchmarks: SQLite for the results history, jansson for JSON.
pkg_check_modules(SQLITE3 REQUIRED sqlite3)
pkg_check_modules(JANSSON REQUIRED jansson)
set(ALLOCLAB_BENCH_INCLUDES ${SQLITE3_INCLUDE_DIRS} ${JANSSON_INCLUDE_DIRS})
set(ALLOCLAB_BENCH_LIBS ${SQLITE3_LINK_LIBRARIES} ${JANSSON_LINK_LIBRARIES})

# Instruction counts: valgrind's client-request header (valgrind package).
find_path(ALLOCLAB_VALGRIND_INCLUDE valgrind/callgrind.h)
find_program(ALLOCLAB_VALGRIND valgrind)
# memcheck's client requests (same package): arena, bump and pool mark their
# free space (src/backends/poison.h finds the header with __has_include).
find_path(ALLOCLAB_MEMCHECK_INCLUDE valgrind/memcheck.h)
if(NOT ALLOCLAB_MEMCHECK_INCLUDE)
  message(WARNING "valgrind/memcheck.h not found: arena, bump and pool cannot mark their free space "
                  "for memcheck and test_poison skips it. Install it: apt-get install valgrind")
endif()

# The CI recipe (docs/ci/bench-pr.sh, tests/ci_recipe.sh) builds its commits
# with Ninja when it is installed, a fifth less CPU time than make.
find_program(ALLOCLAB_NINJA ninja)
if(NOT ALLOCLAB_NINJA)
  message(STATUS "ninja not found: docs/ci/bench-pr.sh and its test build with make (slower). "
                 "Install it: apt-get install ninja-build")
endif()

# The HTML report's rendering test: headless Chromium (tests/html_chromium.sh).
find_program(ALLOCLAB_CHROMIUM NAMES chromium chromium-browser)
if(NOT ALLOCLAB_CHROMIUM)
  message(WARNING "chromium not found: the HTML report's rendering test is off. Install it: apt-get install chromium")
endif()

# The malloc replacement's real-program tests (tests/malloc/preload.c): the
# programs from Debian packages it runs under LD_PRELOAD. A missing one is
# skipped by the test, which names its package.
foreach(prog PYTHON3:python3:python3-minimal PERL:perl:perl-base TCLSH:tclsh:tcl SORT:sort:coreutils
             XZ:xz:xz-utils SQLITE3:sqlite3:sqlite3 GXX:g++:g++ AWK:mawk:mawk)
  string(REPLACE ":" ";" parts ${prog})
  list(GET parts 0 var)
  list(GET parts 1 exe)
  list(GET parts 2 pkg)
  # /usr/bin first: the Debian program, not a version manager's shim.
  find_program(ALLOCLAB_PROG_${var} ${exe} PATHS /usr/bin NO_DEFAULT_PATH)
  find_program(ALLOCLAB_PROG_${var} ${exe})
  if(NOT ALLOCLAB_PROG_${var})
    set(ALLOCLAB_PROG_${var} "")
    message(STATUS "${exe} not found: the malloc replacement's test skips it. Install it: apt-get install ${pkg}")
  endif()
endforeach()

# Traces: zstd compresses them (required: every trace reader and the recorder
# need it), libunwind walks the stacks of `alloclab trace --stacks` (optional).
pkg_check_modules(ZSTD QUIET libzstd)
if(NOT ZSTD_FOUND)
  message(FATAL_ERROR "zstd not found: traces are compressed with it. Install it: apt-get install libzstd-dev")
endif()
pkg_check_modules(LIBUNWIND QUIET libunwind)
set(ALLOCLAB_HAVE_LIBUNWIND ${LIBUNWIND_FOUND})
if(NOT LIBUNWIND_FOUND)
  message(WARNING "libunwind not found: alloclab trace --stacks is off. Install it: apt-get install libunwind-dev")
endif()

# Fuzzing (make fuzz): clang's libFuzzer, from libclang-rt-14-dev. Every
# object is instrumented for coverage; the fuzz target links the fuzzer.
if(ALLOCLAB_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "ALLOCLAB_FUZZ needs clang (make fuzz configures it): apt-get install clang")
  endif()
  include(CheckCSourceCompiles)
  set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=fuzzer)
  check_c_source_compiles("#include <stdint.h>
#include <stddef.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }" ALLOCLAB_HAVE_LIBFUZZER)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(NOT ALLOCLAB_HAVE_LIBFUZZER)
    message(FATAL_ERROR "clang's libFuzzer not found: apt-get install libclang-rt-14-dev")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
