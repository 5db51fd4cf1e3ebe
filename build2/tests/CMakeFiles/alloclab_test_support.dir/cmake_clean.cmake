file(REMOVE_RECURSE
  "CMakeFiles/alloclab_test_support.dir/support/conformance.c.o"
  "CMakeFiles/alloclab_test_support.dir/support/conformance.c.o.d"
  "CMakeFiles/alloclab_test_support.dir/support/conformance_checks.c.o"
  "CMakeFiles/alloclab_test_support.dir/support/conformance_checks.c.o.d"
  "CMakeFiles/alloclab_test_support.dir/support/conformance_toys.c.o"
  "CMakeFiles/alloclab_test_support.dir/support/conformance_toys.c.o.d"
  "CMakeFiles/alloclab_test_support.dir/support/counting_backing.c.o"
  "CMakeFiles/alloclab_test_support.dir/support/counting_backing.c.o.d"
  "CMakeFiles/alloclab_test_support.dir/support/empty.c.o"
  "CMakeFiles/alloclab_test_support.dir/support/empty.c.o.d"
  "CMakeFiles/alloclab_test_support.dir/support/lab_test_util.c.o"
  "CMakeFiles/alloclab_test_support.dir/support/lab_test_util.c.o.d"
  "CMakeFiles/alloclab_test_support.dir/support/run_cli.c.o"
  "CMakeFiles/alloclab_test_support.dir/support/run_cli.c.o.d"
  "CMakeFiles/alloclab_test_support.dir/support/synth_run.c.o"
  "CMakeFiles/alloclab_test_support.dir/support/synth_run.c.o.d"
  "CMakeFiles/alloclab_test_support.dir/support/tiny_alloc.c.o"
  "CMakeFiles/alloclab_test_support.dir/support/tiny_alloc.c.o.d"
  "CMakeFiles/alloclab_test_support.dir/support/wl_test_allocs.c.o"
  "CMakeFiles/alloclab_test_support.dir/support/wl_test_allocs.c.o.d"
  "liballoclab_test_support.a"
  "liballoclab_test_support.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/alloclab_test_support.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
