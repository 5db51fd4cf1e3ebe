file(REMOVE_RECURSE
  "liballoclab.pdb"
  "liballoclab.so"
  "liballoclab.so.0"
  "liballoclab.so.0.1.0"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/alloclab.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
