file(REMOVE_RECURSE
  "CMakeFiles/test_bump.dir/test_bump.c.o"
  "CMakeFiles/test_bump.dir/test_bump.c.o.d"
  "test_bump"
  "test_bump.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_bump.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
