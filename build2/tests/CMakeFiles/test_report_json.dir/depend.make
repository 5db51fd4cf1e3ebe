# Empty dependencies file for test_report_json.
# This may be replaced when dependencies are built.
