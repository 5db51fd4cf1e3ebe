# Empty dependencies file for test_lab_fork.
# This may be replaced when dependencies are built.
