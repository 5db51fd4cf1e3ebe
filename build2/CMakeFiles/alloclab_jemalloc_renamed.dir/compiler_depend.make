# Empty custom commands generated dependencies file for alloclab_jemalloc_renamed.
# This may be replaced when dependencies are built.
