file(REMOVE_RECURSE
  "CMakeFiles/test_malloc_cxx_static.dir/cxx_new.cpp.o"
  "CMakeFiles/test_malloc_cxx_static.dir/cxx_new.cpp.o.d"
  "test_malloc_cxx_static"
  "test_malloc_cxx_static.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/test_malloc_cxx_static.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
