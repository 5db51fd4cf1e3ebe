# Empty dependencies file for test_locked_threads.
# This may be replaced when dependencies are built.
