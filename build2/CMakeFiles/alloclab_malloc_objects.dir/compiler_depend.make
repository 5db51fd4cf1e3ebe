# Empty compiler generated dependencies file for alloclab_malloc_objects.
# This may be replaced when dependencies are built.
