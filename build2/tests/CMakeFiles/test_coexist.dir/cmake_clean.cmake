file(REMOVE_RECURSE
  "CMakeFiles/test_coexist.dir/test_coexist.c.o"
  "CMakeFiles/test_coexist.dir/test_coexist.c.o.d"
  "test_coexist"
  "test_coexist.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_coexist.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
