file(REMOVE_RECURSE
  "liballoclab-malloc.a"
  "liballoclab-malloc.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/alloclab_malloc_static.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
