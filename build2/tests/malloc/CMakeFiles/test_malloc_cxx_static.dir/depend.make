# Empty dependencies file for test_malloc_cxx_static.
# This may be replaced when dependencies are built.
