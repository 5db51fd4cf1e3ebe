# Empty compiler generated dependencies file for test_smallvec.
# This may be replaced when dependencies are built.
