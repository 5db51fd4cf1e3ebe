file(REMOVE_RECURSE
  "CMakeFiles/alloclab_malloc_object"
  "alloclab-malloc.o"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/alloclab_malloc_object.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
