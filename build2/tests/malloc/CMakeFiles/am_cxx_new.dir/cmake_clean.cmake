file(REMOVE_RECURSE
  "CMakeFiles/am_cxx_new.dir/cxx_new.cpp.o"
  "CMakeFiles/am_cxx_new.dir/cxx_new.cpp.o.d"
  "am_cxx_new"
  "am_cxx_new.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/am_cxx_new.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
