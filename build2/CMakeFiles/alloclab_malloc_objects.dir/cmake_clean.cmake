file(REMOVE_RECURSE
  "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/entry.c.o"
  "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/entry.c.o.d"
  "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/info.c.o"
  "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/info.c.o.d"
  "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/libc.c.o"
  "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/libc.c.o.d"
  "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/mode.c.o"
  "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/mode.c.o.d"
  "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/spec.c.o"
  "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/spec.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/alloclab_malloc_objects.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
