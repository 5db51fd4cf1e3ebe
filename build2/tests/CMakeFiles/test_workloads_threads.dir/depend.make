# Empty dependencies file for test_workloads_threads.
# This may be replaced when dependencies are built.
