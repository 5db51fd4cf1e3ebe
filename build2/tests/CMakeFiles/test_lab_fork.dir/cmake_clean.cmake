file(REMOVE_RECURSE
  "CMakeFiles/test_lab_fork.dir/test_lab_fork.c.o"
  "CMakeFiles/test_lab_fork.dir/test_lab_fork.c.o.d"
  "test_lab_fork"
  "test_lab_fork.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_lab_fork.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
