# Empty dependencies file for alloclab_malloc_static.
# This may be replaced when dependencies are built.
