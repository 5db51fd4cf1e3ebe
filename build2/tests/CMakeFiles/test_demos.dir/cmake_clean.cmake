file(REMOVE_RECURSE
  "CMakeFiles/test_demos.dir/test_demos.c.o"
  "CMakeFiles/test_demos.dir/test_demos.c.o.d"
  "test_demos"
  "test_demos.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_demos.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
