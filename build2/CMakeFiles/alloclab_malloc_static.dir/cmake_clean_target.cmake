file(REMOVE_RECURSE
  "liballoclab-malloc.a"
)
