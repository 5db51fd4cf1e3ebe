# Empty compiler generated dependencies file for test_vec.
# This may be replaced when dependencies are built.
