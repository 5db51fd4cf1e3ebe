# Empty dependencies file for test_workloads_mb_threads.
# This may be replaced when dependencies are built.
