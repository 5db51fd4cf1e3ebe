# Empty dependencies file for alloclab_bench.
# This may be replaced when dependencies are built.
