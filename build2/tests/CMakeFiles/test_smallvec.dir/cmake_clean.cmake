file(REMOVE_RECURSE
  "CMakeFiles/test_smallvec.dir/test_smallvec.c.o"
  "CMakeFiles/test_smallvec.dir/test_smallvec.c.o.d"
  "test_smallvec"
  "test_smallvec.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_smallvec.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
