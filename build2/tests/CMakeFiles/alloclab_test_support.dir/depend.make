# Empty dependencies file for alloclab_test_support.
# This may be replaced when dependencies are built.
