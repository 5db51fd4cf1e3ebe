file(REMOVE_RECURSE
  "CMakeFiles/test_conformance_threads.dir/test_conformance_threads.c.o"
  "CMakeFiles/test_conformance_threads.dir/test_conformance_threads.c.o.d"
  "test_conformance_threads"
  "test_conformance_threads.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_conformance_threads.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
