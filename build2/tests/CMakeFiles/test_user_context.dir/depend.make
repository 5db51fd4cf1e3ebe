# Empty dependencies file for test_user_context.
# This may be replaced when dependencies are built.
