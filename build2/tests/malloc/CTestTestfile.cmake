# CMake generated Testfile for 
# Source directory: /work/wt-lab/tests/malloc
# Build directory: /work/wt-lab/build2/tests/malloc
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[test_malloc_api]=] "/work/wt-lab/build2/tests/malloc/test_malloc_api")
set_tests_properties([=[test_malloc_api]=] PROPERTIES  ENVIRONMENT "AM_EXPECT_SPEC=sys" _BACKTRACE_TRIPLES "/work/wt-lab/tests/malloc/CMakeLists.txt;24;add_test;/work/wt-lab/tests/malloc/CMakeLists.txt;0;")
add_test([=[test_malloc_api_preload]=] "/work/wt-lab/build2/tests/malloc/malloc_api_plain")
set_tests_properties([=[test_malloc_api_preload]=] PROPERTIES  ENVIRONMENT "LD_PRELOAD=/work/wt-lab/build2/liballoclab-malloc.so;AM_EXPECT_SPEC=sys" _BACKTRACE_TRIPLES "/work/wt-lab/tests/malloc/CMakeLists.txt;30;add_test;/work/wt-lab/tests/malloc/CMakeLists.txt;0;")
add_test([=[test_malloc_api_arena]=] "/work/wt-lab/build2/tests/malloc/malloc_api_plain")
set_tests_properties([=[test_malloc_api_arena]=] PROPERTIES  ENVIRONMENT "LD_PRELOAD=/work/wt-lab/build2/liballoclab-malloc.so;ALLOCLAB_MALLOC=arena;AM_EXPECT_SPEC=arena" _BACKTRACE_TRIPLES "/work/wt-lab/tests/malloc/CMakeLists.txt;41;add_test;/work/wt-lab/tests/malloc/CMakeLists.txt;0;")
add_test([=[test_malloc_api_pool]=] "/work/wt-lab/build2/tests/malloc/malloc_api_plain")
set_tests_properties([=[test_malloc_api_pool]=] PROPERTIES  ENVIRONMENT "LD_PRELOAD=/work/wt-lab/build2/liballoclab-malloc.so;ALLOCLAB_MALLOC=pool;AM_EXPECT_SPEC=pool" _BACKTRACE_TRIPLES "/work/wt-lab/tests/malloc/CMakeLists.txt;41;add_test;/work/wt-lab/tests/malloc/CMakeLists.txt;0;")
add_test([=[test_malloc_api_stats]=] "/work/wt-lab/build2/tests/malloc/malloc_api_plain")
set_tests_properties([=[test_malloc_api_stats]=] PROPERTIES  ENVIRONMENT "LD_PRELOAD=/work/wt-lab/build2/liballoclab-malloc.so;ALLOCLAB_MALLOC=stats:sys;AM_EXPECT_SPEC=stats:sys" _BACKTRACE_TRIPLES "/work/wt-lab/tests/malloc/CMakeLists.txt;41;add_test;/work/wt-lab/tests/malloc/CMakeLists.txt;0;")
add_test([=[test_malloc_api_mi]=] "/work/wt-lab/build2/tests/malloc/malloc_api_plain")
set_tests_properties([=[test_malloc_api_mi]=] PROPERTIES  ENVIRONMENT "LD_PRELOAD=/work/wt-lab/build2/liballoclab-malloc.so;ALLOCLAB_MALLOC=mi;AM_EXPECT_SPEC=mi" _BACKTRACE_TRIPLES "/work/wt-lab/tests/malloc/CMakeLists.txt;41;add_test;/work/wt-lab/tests/malloc/CMakeLists.txt;0;")
add_test([=[test_malloc_cxx_static]=] "/work/wt-lab/build2/tests/malloc/test_malloc_cxx_static")
set_tests_properties([=[test_malloc_cxx_static]=] PROPERTIES  PASS_REGULAR_EXPRESSION "cxx ok" _BACKTRACE_TRIPLES "/work/wt-lab/tests/malloc/CMakeLists.txt;63;add_test;/work/wt-lab/tests/malloc/CMakeLists.txt;0;")
add_test([=[test_malloc_preload]=] "/work/wt-lab/build2/tests/malloc/test_malloc_preload")
set_tests_properties([=[test_malloc_preload]=] PROPERTIES  ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=stdout" _BACKTRACE_TRIPLES "/work/wt-lab/tests/malloc/CMakeLists.txt;87;add_test;/work/wt-lab/tests/malloc/CMakeLists.txt;0;")
