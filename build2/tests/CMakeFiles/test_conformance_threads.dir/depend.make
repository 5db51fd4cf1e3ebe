# Empty dependencies file for test_conformance_threads.
# This may be replaced when dependencies are built.
