file(REMOVE_RECURSE
  "CMakeFiles/test_backend_direct.dir/test_backend_direct.c.o"
  "CMakeFiles/test_backend_direct.dir/test_backend_direct.c.o.d"
  "test_backend_direct"
  "test_backend_direct.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_backend_direct.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
