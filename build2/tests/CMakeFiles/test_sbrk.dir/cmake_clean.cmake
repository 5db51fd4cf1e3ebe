file(REMOVE_RECURSE
  "CMakeFiles/test_sbrk.dir/test_sbrk.c.o"
  "CMakeFiles/test_sbrk.dir/test_sbrk.c.o.d"
  "test_sbrk"
  "test_sbrk.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sbrk.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
