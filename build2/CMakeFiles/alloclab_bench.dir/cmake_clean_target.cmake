file(REMOVE_RECURSE
  "liballoclab_bench.a"
)
