# Empty dependencies file for test_sbrk.
# This may be replaced when dependencies are built.
