file(REMOVE_RECURSE
  "CMakeFiles/test_malloc_api.dir/api.c.o"
  "CMakeFiles/test_malloc_api.dir/api.c.o.d"
  "test_malloc_api"
  "test_malloc_api.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_malloc_api.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
