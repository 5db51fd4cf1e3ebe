# Empty dependencies file for test_verbose_nomalloc.
# This may be replaced when dependencies are built.
