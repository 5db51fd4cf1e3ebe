file(REMOVE_RECURSE
  "CMakeFiles/test_report_table.dir/test_report_table.c.o"
  "CMakeFiles/test_report_table.dir/test_report_table.c.o.d"
  "test_report_table"
  "test_report_table.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_report_table.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
