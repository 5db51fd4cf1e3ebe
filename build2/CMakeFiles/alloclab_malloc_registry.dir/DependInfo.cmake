
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt-lab/src/backends/arena.c" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/arena.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/arena.c.o.d"
  "/work/wt-lab/src/backends/bump.c" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/bump.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/bump.c.o.d"
  "/work/wt-lab/src/backends/dynlib.c" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/dynlib.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/dynlib.c.o.d"
  "/work/wt-lab/src/backends/instance.c" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/instance.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/instance.c.o.d"
  "/work/wt-lab/src/backends/je.c" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/je.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/je.c.o.d"
  "/work/wt-lab/src/backends/lab.c" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/lab.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/lab.c.o.d"
  "/work/wt-lab/src/backends/mi.c" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/mi.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/mi.c.o.d"
  "/work/wt-lab/src/backends/pool.c" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/pool.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/pool.c.o.d"
  "/work/wt-lab/src/backends/sbrk.c" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/sbrk.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/sbrk.c.o.d"
  "/work/wt-lab/src/backends/sys.c" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/sys.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/sys.c.o.d"
  "/work/wt-lab/src/backends/tc.c" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/tc.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/backends/tc.c.o.d"
  "/work/wt-lab/src/containers/smallvec.c" "CMakeFiles/alloclab_malloc_registry.dir/src/containers/smallvec.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/containers/smallvec.c.o.d"
  "/work/wt-lab/src/containers/vec.c" "CMakeFiles/alloclab_malloc_registry.dir/src/containers/vec.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/containers/vec.c.o.d"
  "/work/wt-lab/src/core/allocator.c" "CMakeFiles/alloclab_malloc_registry.dir/src/core/allocator.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/core/allocator.c.o.d"
  "/work/wt-lab/src/core/registry.c" "CMakeFiles/alloclab_malloc_registry.dir/src/core/registry.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/core/registry.c.o.d"
  "/work/wt-lab/src/lab/alloc.c" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/alloc.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/alloc.c.o.d"
  "/work/wt-lab/src/lab/free.c" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/free.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/free.c.o.d"
  "/work/wt-lab/src/lab/heap.c" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/heap.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/heap.c.o.d"
  "/work/wt-lab/src/lab/huge.c" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/huge.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/huge.c.o.d"
  "/work/wt-lab/src/lab/init.c" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/init.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/init.c.o.d"
  "/work/wt-lab/src/lab/options.c" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/options.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/options.c.o.d"
  "/work/wt-lab/src/lab/os.c" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/os.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/os.c.o.d"
  "/work/wt-lab/src/lab/page.c" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/page.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/page.c.o.d"
  "/work/wt-lab/src/lab/segment.c" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/segment.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/segment.c.o.d"
  "/work/wt-lab/src/lab/segment_map.c" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/segment_map.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/segment_map.c.o.d"
  "/work/wt-lab/src/lab/size_class.c" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/size_class.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/size_class.c.o.d"
  "/work/wt-lab/src/lab/stats.c" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/stats.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/lab/stats.c.o.d"
  "/work/wt-lab/src/wrappers/locked.c" "CMakeFiles/alloclab_malloc_registry.dir/src/wrappers/locked.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/wrappers/locked.c.o.d"
  "/work/wt-lab/src/wrappers/stats.c" "CMakeFiles/alloclab_malloc_registry.dir/src/wrappers/stats.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/wrappers/stats.c.o.d"
  "/work/wt-lab/src/wrappers/verbose.c" "CMakeFiles/alloclab_malloc_registry.dir/src/wrappers/verbose.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/wrappers/verbose.c.o.d"
  "/work/wt-lab/src/wrappers/wrapper.c" "CMakeFiles/alloclab_malloc_registry.dir/src/wrappers/wrapper.c.o" "gcc" "CMakeFiles/alloclab_malloc_registry.dir/src/wrappers/wrapper.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
