# Empty compiler generated dependencies file for test_malloc_preload.
# This may be replaced when dependencies are built.
