file(REMOVE_RECURSE
  "CMakeFiles/test_lab_exit_rss.dir/test_lab_exit_rss.c.o"
  "CMakeFiles/test_lab_exit_rss.dir/test_lab_exit_rss.c.o.d"
  "test_lab_exit_rss"
  "test_lab_exit_rss.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_lab_exit_rss.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
