file(REMOVE_RECURSE
  "CMakeFiles/test_report_html.dir/test_report_html.c.o"
  "CMakeFiles/test_report_html.dir/test_report_html.c.o.d"
  "test_report_html"
  "test_report_html.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_report_html.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
