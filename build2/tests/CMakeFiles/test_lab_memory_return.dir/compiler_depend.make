# Empty compiler generated dependencies file for test_lab_memory_return.
# This may be replaced when dependencies are built.
