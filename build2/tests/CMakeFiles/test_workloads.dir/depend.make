# Empty dependencies file for test_workloads.
# This may be replaced when dependencies are built.
