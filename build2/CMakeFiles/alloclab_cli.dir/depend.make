# Empty dependencies file for alloclab_cli.
# This may be replaced when dependencies are built.
