# Empty dependencies file for alloclab_malloc_registry.
# This may be replaced when dependencies are built.
