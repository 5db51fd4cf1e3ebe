# Empty compiler generated dependencies file for am_early.
# This may be replaced when dependencies are built.
