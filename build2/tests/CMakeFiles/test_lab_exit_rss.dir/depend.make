# Empty dependencies file for test_lab_exit_rss.
# This may be replaced when dependencies are built.
