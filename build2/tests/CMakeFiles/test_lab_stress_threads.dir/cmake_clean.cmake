file(REMOVE_RECURSE
  "CMakeFiles/test_lab_stress_threads.dir/test_lab_stress_threads.c.o"
  "CMakeFiles/test_lab_stress_threads.dir/test_lab_stress_threads.c.o.d"
  "test_lab_stress_threads"
  "test_lab_stress_threads.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_lab_stress_threads.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
