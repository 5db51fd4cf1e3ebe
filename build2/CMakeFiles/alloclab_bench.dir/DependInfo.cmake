
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt-lab/src/harness/callgrind.c" "CMakeFiles/alloclab_bench.dir/src/harness/callgrind.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/harness/callgrind.c.o.d"
  "/work/wt-lab/src/harness/callgrind_child.c" "CMakeFiles/alloclab_bench.dir/src/harness/callgrind_child.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/harness/callgrind_child.c.o.d"
  "/work/wt-lab/src/harness/callgrind_parse.c" "CMakeFiles/alloclab_bench.dir/src/harness/callgrind_parse.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/harness/callgrind_parse.c.o.d"
  "/work/wt-lab/src/harness/context.c" "CMakeFiles/alloclab_bench.dir/src/harness/context.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/harness/context.c.o.d"
  "/work/wt-lab/src/harness/harness.c" "CMakeFiles/alloclab_bench.dir/src/harness/harness.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/harness/harness.c.o.d"
  "/work/wt-lab/src/harness/results.c" "CMakeFiles/alloclab_bench.dir/src/harness/results.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/harness/results.c.o.d"
  "/work/wt-lab/src/harness/runner.c" "CMakeFiles/alloclab_bench.dir/src/harness/runner.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/harness/runner.c.o.d"
  "/work/wt-lab/src/harness/stats.c" "CMakeFiles/alloclab_bench.dir/src/harness/stats.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/harness/stats.c.o.d"
  "/work/wt-lab/src/history/compare.c" "CMakeFiles/alloclab_bench.dir/src/history/compare.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/history/compare.c.o.d"
  "/work/wt-lab/src/history/history.c" "CMakeFiles/alloclab_bench.dir/src/history/history.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/history/history.c.o.d"
  "/work/wt-lab/src/reports/report_compare.c" "CMakeFiles/alloclab_bench.dir/src/reports/report_compare.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/reports/report_compare.c.o.d"
  "/work/wt-lab/src/reports/report_csv.c" "CMakeFiles/alloclab_bench.dir/src/reports/report_csv.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/reports/report_csv.c.o.d"
  "/work/wt-lab/src/reports/report_formats.c" "CMakeFiles/alloclab_bench.dir/src/reports/report_formats.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/reports/report_formats.c.o.d"
  "/work/wt-lab/src/reports/report_html.c" "CMakeFiles/alloclab_bench.dir/src/reports/report_html.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/reports/report_html.c.o.d"
  "/work/wt-lab/src/reports/report_json.c" "CMakeFiles/alloclab_bench.dir/src/reports/report_json.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/reports/report_json.c.o.d"
  "/work/wt-lab/src/reports/report_markdown.c" "CMakeFiles/alloclab_bench.dir/src/reports/report_markdown.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/reports/report_markdown.c.o.d"
  "/work/wt-lab/src/reports/report_svg.c" "CMakeFiles/alloclab_bench.dir/src/reports/report_svg.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/reports/report_svg.c.o.d"
  "/work/wt-lab/src/reports/report_table.c" "CMakeFiles/alloclab_bench.dir/src/reports/report_table.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/reports/report_table.c.o.d"
  "/work/wt-lab/src/reports/report_util.c" "CMakeFiles/alloclab_bench.dir/src/reports/report_util.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/reports/report_util.c.o.d"
  "/work/wt-lab/src/workloads/workload_binary_trees.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_binary_trees.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_binary_trees.c.o.d"
  "/work/wt-lab/src/workloads/workload_cache_scratch.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_cache_scratch.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_cache_scratch.c.o.d"
  "/work/wt-lab/src/workloads/workload_cache_thrash.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_cache_thrash.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_cache_thrash.c.o.d"
  "/work/wt-lab/src/workloads/workload_common.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_common.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_common.c.o.d"
  "/work/wt-lab/src/workloads/workload_glibc_simple.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_glibc_simple.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_glibc_simple.c.o.d"
  "/work/wt-lab/src/workloads/workload_glibc_thread.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_glibc_thread.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_glibc_thread.c.o.d"
  "/work/wt-lab/src/workloads/workload_large_blocks.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_large_blocks.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_large_blocks.c.o.d"
  "/work/wt-lab/src/workloads/workload_larson.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_larson.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_larson.c.o.d"
  "/work/wt-lab/src/workloads/workload_mt.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_mt.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_mt.c.o.d"
  "/work/wt-lab/src/workloads/workload_single_alloc.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_single_alloc.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_single_alloc.c.o.d"
  "/work/wt-lab/src/workloads/workload_smallvec.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_smallvec.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_smallvec.c.o.d"
  "/work/wt-lab/src/workloads/workload_stress_mem.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_stress_mem.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_stress_mem.c.o.d"
  "/work/wt-lab/src/workloads/workload_vec_push.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_vec_push.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_vec_push.c.o.d"
  "/work/wt-lab/src/workloads/workload_xmalloc.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_xmalloc.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workload_xmalloc.c.o.d"
  "/work/wt-lab/src/workloads/workloads.c" "CMakeFiles/alloclab_bench.dir/src/workloads/workloads.c.o" "gcc" "CMakeFiles/alloclab_bench.dir/src/workloads/workloads.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt-lab/build2/CMakeFiles/alloclab_static.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
