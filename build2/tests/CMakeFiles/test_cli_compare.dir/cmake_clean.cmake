file(REMOVE_RECURSE
  "CMakeFiles/test_cli_compare.dir/test_cli_compare.c.o"
  "CMakeFiles/test_cli_compare.dir/test_cli_compare.c.o.d"
  "test_cli_compare"
  "test_cli_compare.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_cli_compare.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
