# Empty compiler generated dependencies file for am_cxx_new.
# This may be replaced when dependencies are built.
