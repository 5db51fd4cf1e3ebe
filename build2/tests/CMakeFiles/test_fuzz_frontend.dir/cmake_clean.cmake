file(REMOVE_RECURSE
  "CMakeFiles/test_fuzz_frontend.dir/test_fuzz_frontend.c.o"
  "CMakeFiles/test_fuzz_frontend.dir/test_fuzz_frontend.c.o.d"
  "test_fuzz_frontend"
  "test_fuzz_frontend.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_fuzz_frontend.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
