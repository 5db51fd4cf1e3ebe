file(REMOVE_RECURSE
  "CMakeFiles/malloc_api_plain.dir/api.c.o"
  "CMakeFiles/malloc_api_plain.dir/api.c.o.d"
  "malloc_api_plain"
  "malloc_api_plain.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/malloc_api_plain.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
