
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt-lab/src/lab/alloc.c" "CMakeFiles/alloclab_lab.dir/src/lab/alloc.c.o" "gcc" "CMakeFiles/alloclab_lab.dir/src/lab/alloc.c.o.d"
  "/work/wt-lab/src/lab/free.c" "CMakeFiles/alloclab_lab.dir/src/lab/free.c.o" "gcc" "CMakeFiles/alloclab_lab.dir/src/lab/free.c.o.d"
  "/work/wt-lab/src/lab/heap.c" "CMakeFiles/alloclab_lab.dir/src/lab/heap.c.o" "gcc" "CMakeFiles/alloclab_lab.dir/src/lab/heap.c.o.d"
  "/work/wt-lab/src/lab/huge.c" "CMakeFiles/alloclab_lab.dir/src/lab/huge.c.o" "gcc" "CMakeFiles/alloclab_lab.dir/src/lab/huge.c.o.d"
  "/work/wt-lab/src/lab/init.c" "CMakeFiles/alloclab_lab.dir/src/lab/init.c.o" "gcc" "CMakeFiles/alloclab_lab.dir/src/lab/init.c.o.d"
  "/work/wt-lab/src/lab/options.c" "CMakeFiles/alloclab_lab.dir/src/lab/options.c.o" "gcc" "CMakeFiles/alloclab_lab.dir/src/lab/options.c.o.d"
  "/work/wt-lab/src/lab/os.c" "CMakeFiles/alloclab_lab.dir/src/lab/os.c.o" "gcc" "CMakeFiles/alloclab_lab.dir/src/lab/os.c.o.d"
  "/work/wt-lab/src/lab/page.c" "CMakeFiles/alloclab_lab.dir/src/lab/page.c.o" "gcc" "CMakeFiles/alloclab_lab.dir/src/lab/page.c.o.d"
  "/work/wt-lab/src/lab/segment.c" "CMakeFiles/alloclab_lab.dir/src/lab/segment.c.o" "gcc" "CMakeFiles/alloclab_lab.dir/src/lab/segment.c.o.d"
  "/work/wt-lab/src/lab/segment_map.c" "CMakeFiles/alloclab_lab.dir/src/lab/segment_map.c.o" "gcc" "CMakeFiles/alloclab_lab.dir/src/lab/segment_map.c.o.d"
  "/work/wt-lab/src/lab/size_class.c" "CMakeFiles/alloclab_lab.dir/src/lab/size_class.c.o" "gcc" "CMakeFiles/alloclab_lab.dir/src/lab/size_class.c.o.d"
  "/work/wt-lab/src/lab/stats.c" "CMakeFiles/alloclab_lab.dir/src/lab/stats.c.o" "gcc" "CMakeFiles/alloclab_lab.dir/src/lab/stats.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
