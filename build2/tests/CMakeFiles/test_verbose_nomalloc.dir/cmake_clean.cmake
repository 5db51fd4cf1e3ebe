file(REMOVE_RECURSE
  "CMakeFiles/test_verbose_nomalloc.dir/test_verbose_nomalloc.c.o"
  "CMakeFiles/test_verbose_nomalloc.dir/test_verbose_nomalloc.c.o.d"
  "test_verbose_nomalloc"
  "test_verbose_nomalloc.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_verbose_nomalloc.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
