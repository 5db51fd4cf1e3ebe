file(REMOVE_RECURSE
  "CMakeFiles/am_early.dir/early.c.o"
  "CMakeFiles/am_early.dir/early.c.o.d"
  "libam_early.pdb"
  "libam_early.so"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/am_early.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
