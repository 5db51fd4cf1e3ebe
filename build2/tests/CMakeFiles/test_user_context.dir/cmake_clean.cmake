file(REMOVE_RECURSE
  "CMakeFiles/test_user_context.dir/test_user_context.c.o"
  "CMakeFiles/test_user_context.dir/test_user_context.c.o.d"
  "test_user_context"
  "test_user_context.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_user_context.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
