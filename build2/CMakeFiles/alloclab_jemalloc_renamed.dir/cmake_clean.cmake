file(REMOVE_RECURSE
  "CMakeFiles/alloclab_jemalloc_renamed"
  "liballoclab_jemalloc.a"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/alloclab_jemalloc_renamed.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
