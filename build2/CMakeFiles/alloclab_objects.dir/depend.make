# Empty dependencies file for alloclab_objects.
# This may be replaced when dependencies are built.
