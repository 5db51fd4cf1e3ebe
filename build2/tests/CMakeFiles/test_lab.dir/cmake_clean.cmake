file(REMOVE_RECURSE
  "CMakeFiles/test_lab.dir/test_lab.c.o"
  "CMakeFiles/test_lab.dir/test_lab.c.o.d"
  "test_lab"
  "test_lab.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_lab.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
