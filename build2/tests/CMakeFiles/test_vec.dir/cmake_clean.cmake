file(REMOVE_RECURSE
  "CMakeFiles/test_vec.dir/test_vec.c.o"
  "CMakeFiles/test_vec.dir/test_vec.c.o.d"
  "test_vec"
  "test_vec.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_vec.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
