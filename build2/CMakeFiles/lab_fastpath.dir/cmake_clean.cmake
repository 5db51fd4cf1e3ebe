file(REMOVE_RECURSE
  "CMakeFiles/lab_fastpath.dir/tools/lab_fastpath.c.o"
  "CMakeFiles/lab_fastpath.dir/tools/lab_fastpath.c.o.d"
  "lab_fastpath"
  "lab_fastpath.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_fastpath.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
