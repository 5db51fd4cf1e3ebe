# Empty custom commands generated dependencies file for alloclab_malloc_object.
# This may be replaced when dependencies are built.
