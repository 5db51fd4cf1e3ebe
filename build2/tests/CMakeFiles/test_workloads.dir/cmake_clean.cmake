file(REMOVE_RECURSE
  "CMakeFiles/test_workloads.dir/test_workloads.c.o"
  "CMakeFiles/test_workloads.dir/test_workloads.c.o.d"
  "test_workloads"
  "test_workloads.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_workloads.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
