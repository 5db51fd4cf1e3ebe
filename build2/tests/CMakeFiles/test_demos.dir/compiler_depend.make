# Empty compiler generated dependencies file for test_demos.
# This may be replaced when dependencies are built.
