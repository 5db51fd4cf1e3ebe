# Empty dependencies file for test_lab.
# This may be replaced when dependencies are built.
