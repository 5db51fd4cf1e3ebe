
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt-lab/tests/test_verbose_nomalloc.c" "tests/CMakeFiles/test_verbose_nomalloc.dir/test_verbose_nomalloc.c.o" "gcc" "tests/CMakeFiles/test_verbose_nomalloc.dir/test_verbose_nomalloc.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt-lab/build2/tests/CMakeFiles/alloclab_test_support.dir/DependInfo.cmake"
  "/work/wt-lab/build2/CMakeFiles/alloclab_bench.dir/DependInfo.cmake"
  "/work/wt-lab/build2/CMakeFiles/alloclab_static.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
