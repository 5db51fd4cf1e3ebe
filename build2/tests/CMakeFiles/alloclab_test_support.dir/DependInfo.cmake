
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt-lab/tests/support/conformance.c" "tests/CMakeFiles/alloclab_test_support.dir/support/conformance.c.o" "gcc" "tests/CMakeFiles/alloclab_test_support.dir/support/conformance.c.o.d"
  "/work/wt-lab/tests/support/conformance_checks.c" "tests/CMakeFiles/alloclab_test_support.dir/support/conformance_checks.c.o" "gcc" "tests/CMakeFiles/alloclab_test_support.dir/support/conformance_checks.c.o.d"
  "/work/wt-lab/tests/support/conformance_toys.c" "tests/CMakeFiles/alloclab_test_support.dir/support/conformance_toys.c.o" "gcc" "tests/CMakeFiles/alloclab_test_support.dir/support/conformance_toys.c.o.d"
  "/work/wt-lab/tests/support/counting_backing.c" "tests/CMakeFiles/alloclab_test_support.dir/support/counting_backing.c.o" "gcc" "tests/CMakeFiles/alloclab_test_support.dir/support/counting_backing.c.o.d"
  "/work/wt-lab/tests/support/empty.c" "tests/CMakeFiles/alloclab_test_support.dir/support/empty.c.o" "gcc" "tests/CMakeFiles/alloclab_test_support.dir/support/empty.c.o.d"
  "/work/wt-lab/tests/support/lab_test_util.c" "tests/CMakeFiles/alloclab_test_support.dir/support/lab_test_util.c.o" "gcc" "tests/CMakeFiles/alloclab_test_support.dir/support/lab_test_util.c.o.d"
  "/work/wt-lab/tests/support/run_cli.c" "tests/CMakeFiles/alloclab_test_support.dir/support/run_cli.c.o" "gcc" "tests/CMakeFiles/alloclab_test_support.dir/support/run_cli.c.o.d"
  "/work/wt-lab/tests/support/synth_run.c" "tests/CMakeFiles/alloclab_test_support.dir/support/synth_run.c.o" "gcc" "tests/CMakeFiles/alloclab_test_support.dir/support/synth_run.c.o.d"
  "/work/wt-lab/tests/support/tiny_alloc.c" "tests/CMakeFiles/alloclab_test_support.dir/support/tiny_alloc.c.o" "gcc" "tests/CMakeFiles/alloclab_test_support.dir/support/tiny_alloc.c.o.d"
  "/work/wt-lab/tests/support/wl_test_allocs.c" "tests/CMakeFiles/alloclab_test_support.dir/support/wl_test_allocs.c.o" "gcc" "tests/CMakeFiles/alloclab_test_support.dir/support/wl_test_allocs.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt-lab/build2/CMakeFiles/alloclab_bench.dir/DependInfo.cmake"
  "/work/wt-lab/build2/CMakeFiles/alloclab_static.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
