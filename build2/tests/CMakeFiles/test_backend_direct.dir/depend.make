# Empty dependencies file for test_backend_direct.
# This may be replaced when dependencies are built.
