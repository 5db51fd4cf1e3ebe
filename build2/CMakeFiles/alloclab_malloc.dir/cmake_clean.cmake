file(REMOVE_RECURSE
  "liballoclab-malloc.pdb"
  "liballoclab-malloc.so"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/alloclab_malloc.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
