# Empty compiler generated dependencies file for test_callgrind.
# This may be replaced when dependencies are built.
