# Empty dependencies file for alloclab.
# This may be replaced when dependencies are built.
