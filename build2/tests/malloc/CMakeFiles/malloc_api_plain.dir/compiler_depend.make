# Empty compiler generated dependencies file for malloc_api_plain.
# This may be replaced when dependencies are built.
