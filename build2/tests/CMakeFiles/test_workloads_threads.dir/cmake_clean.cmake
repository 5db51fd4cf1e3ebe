file(REMOVE_RECURSE
  "CMakeFiles/test_workloads_threads.dir/test_workloads_threads.c.o"
  "CMakeFiles/test_workloads_threads.dir/test_workloads_threads.c.o.d"
  "test_workloads_threads"
  "test_workloads_threads.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_workloads_threads.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
