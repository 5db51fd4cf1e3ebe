# Empty compiler generated dependencies file for alloclab_static.
# This may be replaced when dependencies are built.
