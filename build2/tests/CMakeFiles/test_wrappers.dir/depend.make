# Empty dependencies file for test_wrappers.
# This may be replaced when dependencies are built.
