file(REMOVE_RECURSE
  "CMakeFiles/test_malloc_preload.dir/preload.c.o"
  "CMakeFiles/test_malloc_preload.dir/preload.c.o.d"
  "test_malloc_preload"
  "test_malloc_preload.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_malloc_preload.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
