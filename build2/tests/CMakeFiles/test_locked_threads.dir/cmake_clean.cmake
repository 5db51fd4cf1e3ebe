file(REMOVE_RECURSE
  "CMakeFiles/test_locked_threads.dir/test_locked_threads.c.o"
  "CMakeFiles/test_locked_threads.dir/test_locked_threads.c.o.d"
  "test_locked_threads"
  "test_locked_threads.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_locked_threads.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
