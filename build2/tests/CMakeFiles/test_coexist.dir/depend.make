# Empty dependencies file for test_coexist.
# This may be replaced when dependencies are built.
