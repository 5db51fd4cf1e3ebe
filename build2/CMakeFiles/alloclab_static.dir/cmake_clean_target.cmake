file(REMOVE_RECURSE
  "liballoclab.a"
)
