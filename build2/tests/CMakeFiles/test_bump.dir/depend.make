# Empty dependencies file for test_bump.
# This may be replaced when dependencies are built.
