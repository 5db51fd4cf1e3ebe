file(REMOVE_RECURSE
  "CMakeFiles/test_callgrind.dir/test_callgrind.c.o"
  "CMakeFiles/test_callgrind.dir/test_callgrind.c.o.d"
  "test_callgrind"
  "test_callgrind.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_callgrind.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
