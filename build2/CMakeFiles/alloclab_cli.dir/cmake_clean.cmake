file(REMOVE_RECURSE
  "CMakeFiles/alloclab_cli.dir/src/cli/cli_args.c.o"
  "CMakeFiles/alloclab_cli.dir/src/cli/cli_args.c.o.d"
  "CMakeFiles/alloclab_cli.dir/src/cli/cmd_bench.c.o"
  "CMakeFiles/alloclab_cli.dir/src/cli/cmd_bench.c.o.d"
  "CMakeFiles/alloclab_cli.dir/src/cli/cmd_compare.c.o"
  "CMakeFiles/alloclab_cli.dir/src/cli/cmd_compare.c.o.d"
  "CMakeFiles/alloclab_cli.dir/src/cli/cmd_demo.c.o"
  "CMakeFiles/alloclab_cli.dir/src/cli/cmd_demo.c.o.d"
  "CMakeFiles/alloclab_cli.dir/src/cli/cmd_history.c.o"
  "CMakeFiles/alloclab_cli.dir/src/cli/cmd_history.c.o.d"
  "CMakeFiles/alloclab_cli.dir/src/cli/cmd_list.c.o"
  "CMakeFiles/alloclab_cli.dir/src/cli/cmd_list.c.o.d"
  "CMakeFiles/alloclab_cli.dir/src/cli/cmd_show.c.o"
  "CMakeFiles/alloclab_cli.dir/src/cli/cmd_show.c.o.d"
  "CMakeFiles/alloclab_cli.dir/src/cli/demo_memory_types.c.o"
  "CMakeFiles/alloclab_cli.dir/src/cli/demo_memory_types.c.o.d"
  "CMakeFiles/alloclab_cli.dir/src/cli/demo_stack_limit.c.o"
  "CMakeFiles/alloclab_cli.dir/src/cli/demo_stack_limit.c.o.d"
  "CMakeFiles/alloclab_cli.dir/src/cli/demo_static_pool.c.o"
  "CMakeFiles/alloclab_cli.dir/src/cli/demo_static_pool.c.o.d"
  "CMakeFiles/alloclab_cli.dir/src/cli/demo_verbose_vec.c.o"
  "CMakeFiles/alloclab_cli.dir/src/cli/demo_verbose_vec.c.o.d"
  "CMakeFiles/alloclab_cli.dir/src/cli/main.c.o"
  "CMakeFiles/alloclab_cli.dir/src/cli/main.c.o.d"
  "alloclab"
  "alloclab.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/alloclab_cli.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
