# Empty compiler generated dependencies file for test_malloc_api.
# This may be replaced when dependencies are built.
