# Empty compiler generated dependencies file for alloclab_malloc.
# This may be replaced when dependencies are built.
