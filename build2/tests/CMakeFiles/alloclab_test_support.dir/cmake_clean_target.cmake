file(REMOVE_RECURSE
  "liballoclab_test_support.a"
)
