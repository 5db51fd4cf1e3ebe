file(REMOVE_RECURSE
  "CMakeFiles/test_wrappers.dir/test_wrappers.c.o"
  "CMakeFiles/test_wrappers.dir/test_wrappers.c.o.d"
  "test_wrappers"
  "test_wrappers.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_wrappers.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
