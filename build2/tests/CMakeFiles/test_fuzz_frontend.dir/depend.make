# Empty dependencies file for test_fuzz_frontend.
# This may be replaced when dependencies are built.
