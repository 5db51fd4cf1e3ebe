
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt-lab/src/malloc/entry.c" "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/entry.c.o" "gcc" "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/entry.c.o.d"
  "/work/wt-lab/src/malloc/info.c" "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/info.c.o" "gcc" "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/info.c.o.d"
  "/work/wt-lab/src/malloc/libc.c" "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/libc.c.o" "gcc" "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/libc.c.o.d"
  "/work/wt-lab/src/malloc/mode.c" "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/mode.c.o" "gcc" "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/mode.c.o.d"
  "/work/wt-lab/src/malloc/spec.c" "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/spec.c.o" "gcc" "CMakeFiles/alloclab_malloc_objects.dir/src/malloc/spec.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
