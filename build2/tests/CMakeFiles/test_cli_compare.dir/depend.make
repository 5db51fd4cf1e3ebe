# Empty dependencies file for test_cli_compare.
# This may be replaced when dependencies are built.
