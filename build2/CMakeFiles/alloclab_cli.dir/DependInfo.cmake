
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt-lab/src/cli/cli_args.c" "CMakeFiles/alloclab_cli.dir/src/cli/cli_args.c.o" "gcc" "CMakeFiles/alloclab_cli.dir/src/cli/cli_args.c.o.d"
  "/work/wt-lab/src/cli/cmd_bench.c" "CMakeFiles/alloclab_cli.dir/src/cli/cmd_bench.c.o" "gcc" "CMakeFiles/alloclab_cli.dir/src/cli/cmd_bench.c.o.d"
  "/work/wt-lab/src/cli/cmd_compare.c" "CMakeFiles/alloclab_cli.dir/src/cli/cmd_compare.c.o" "gcc" "CMakeFiles/alloclab_cli.dir/src/cli/cmd_compare.c.o.d"
  "/work/wt-lab/src/cli/cmd_demo.c" "CMakeFiles/alloclab_cli.dir/src/cli/cmd_demo.c.o" "gcc" "CMakeFiles/alloclab_cli.dir/src/cli/cmd_demo.c.o.d"
  "/work/wt-lab/src/cli/cmd_history.c" "CMakeFiles/alloclab_cli.dir/src/cli/cmd_history.c.o" "gcc" "CMakeFiles/alloclab_cli.dir/src/cli/cmd_history.c.o.d"
  "/work/wt-lab/src/cli/cmd_list.c" "CMakeFiles/alloclab_cli.dir/src/cli/cmd_list.c.o" "gcc" "CMakeFiles/alloclab_cli.dir/src/cli/cmd_list.c.o.d"
  "/work/wt-lab/src/cli/cmd_show.c" "CMakeFiles/alloclab_cli.dir/src/cli/cmd_show.c.o" "gcc" "CMakeFiles/alloclab_cli.dir/src/cli/cmd_show.c.o.d"
  "/work/wt-lab/src/cli/demo_memory_types.c" "CMakeFiles/alloclab_cli.dir/src/cli/demo_memory_types.c.o" "gcc" "CMakeFiles/alloclab_cli.dir/src/cli/demo_memory_types.c.o.d"
  "/work/wt-lab/src/cli/demo_stack_limit.c" "CMakeFiles/alloclab_cli.dir/src/cli/demo_stack_limit.c.o" "gcc" "CMakeFiles/alloclab_cli.dir/src/cli/demo_stack_limit.c.o.d"
  "/work/wt-lab/src/cli/demo_static_pool.c" "CMakeFiles/alloclab_cli.dir/src/cli/demo_static_pool.c.o" "gcc" "CMakeFiles/alloclab_cli.dir/src/cli/demo_static_pool.c.o.d"
  "/work/wt-lab/src/cli/demo_verbose_vec.c" "CMakeFiles/alloclab_cli.dir/src/cli/demo_verbose_vec.c.o" "gcc" "CMakeFiles/alloclab_cli.dir/src/cli/demo_verbose_vec.c.o.d"
  "/work/wt-lab/src/cli/main.c" "CMakeFiles/alloclab_cli.dir/src/cli/main.c.o" "gcc" "CMakeFiles/alloclab_cli.dir/src/cli/main.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt-lab/build2/CMakeFiles/alloclab_bench.dir/DependInfo.cmake"
  "/work/wt-lab/build2/CMakeFiles/alloclab_static.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
