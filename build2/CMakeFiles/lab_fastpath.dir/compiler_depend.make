# Empty compiler generated dependencies file for lab_fastpath.
# This may be replaced when dependencies are built.
