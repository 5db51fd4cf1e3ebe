file(REMOVE_RECURSE
  "CMakeFiles/test_lab_memory_return.dir/test_lab_memory_return.c.o"
  "CMakeFiles/test_lab_memory_return.dir/test_lab_memory_return.c.o.d"
  "test_lab_memory_return"
  "test_lab_memory_return.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_lab_memory_return.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
