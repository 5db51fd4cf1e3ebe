
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt-lab/src/backends/arena.c" "CMakeFiles/alloclab_objects.dir/src/backends/arena.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/backends/arena.c.o.d"
  "/work/wt-lab/src/backends/bump.c" "CMakeFiles/alloclab_objects.dir/src/backends/bump.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/backends/bump.c.o.d"
  "/work/wt-lab/src/backends/dynlib.c" "CMakeFiles/alloclab_objects.dir/src/backends/dynlib.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/backends/dynlib.c.o.d"
  "/work/wt-lab/src/backends/instance.c" "CMakeFiles/alloclab_objects.dir/src/backends/instance.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/backends/instance.c.o.d"
  "/work/wt-lab/src/backends/je.c" "CMakeFiles/alloclab_objects.dir/src/backends/je.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/backends/je.c.o.d"
  "/work/wt-lab/src/backends/lab.c" "CMakeFiles/alloclab_objects.dir/src/backends/lab.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/backends/lab.c.o.d"
  "/work/wt-lab/src/backends/mi.c" "CMakeFiles/alloclab_objects.dir/src/backends/mi.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/backends/mi.c.o.d"
  "/work/wt-lab/src/backends/pool.c" "CMakeFiles/alloclab_objects.dir/src/backends/pool.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/backends/pool.c.o.d"
  "/work/wt-lab/src/backends/sbrk.c" "CMakeFiles/alloclab_objects.dir/src/backends/sbrk.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/backends/sbrk.c.o.d"
  "/work/wt-lab/src/backends/sys.c" "CMakeFiles/alloclab_objects.dir/src/backends/sys.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/backends/sys.c.o.d"
  "/work/wt-lab/src/backends/tc.c" "CMakeFiles/alloclab_objects.dir/src/backends/tc.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/backends/tc.c.o.d"
  "/work/wt-lab/src/containers/smallvec.c" "CMakeFiles/alloclab_objects.dir/src/containers/smallvec.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/containers/smallvec.c.o.d"
  "/work/wt-lab/src/containers/vec.c" "CMakeFiles/alloclab_objects.dir/src/containers/vec.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/containers/vec.c.o.d"
  "/work/wt-lab/src/core/allocator.c" "CMakeFiles/alloclab_objects.dir/src/core/allocator.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/core/allocator.c.o.d"
  "/work/wt-lab/src/core/registry.c" "CMakeFiles/alloclab_objects.dir/src/core/registry.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/core/registry.c.o.d"
  "/work/wt-lab/src/wrappers/locked.c" "CMakeFiles/alloclab_objects.dir/src/wrappers/locked.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/wrappers/locked.c.o.d"
  "/work/wt-lab/src/wrappers/stats.c" "CMakeFiles/alloclab_objects.dir/src/wrappers/stats.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/wrappers/stats.c.o.d"
  "/work/wt-lab/src/wrappers/verbose.c" "CMakeFiles/alloclab_objects.dir/src/wrappers/verbose.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/wrappers/verbose.c.o.d"
  "/work/wt-lab/src/wrappers/wrapper.c" "CMakeFiles/alloclab_objects.dir/src/wrappers/wrapper.c.o" "gcc" "CMakeFiles/alloclab_objects.dir/src/wrappers/wrapper.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
