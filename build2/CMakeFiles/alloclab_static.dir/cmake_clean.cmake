file(REMOVE_RECURSE
  "liballoclab.a"
  "liballoclab.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/alloclab_static.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
