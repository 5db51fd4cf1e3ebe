# Empty dependencies file for alloclab_lab.
# This may be replaced when dependencies are built.
