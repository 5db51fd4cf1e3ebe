# Empty compiler generated dependencies file for test_lab_stress_threads.
# This may be replaced when dependencies are built.
