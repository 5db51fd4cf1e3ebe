# Empty dependencies file for test_report_table.
# This may be replaced when dependencies are built.
