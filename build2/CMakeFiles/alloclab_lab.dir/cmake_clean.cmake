file(REMOVE_RECURSE
  "CMakeFiles/alloclab_lab.dir/src/lab/alloc.c.o"
  "CMakeFiles/alloclab_lab.dir/src/lab/alloc.c.o.d"
  "CMakeFiles/alloclab_lab.dir/src/lab/free.c.o"
  "CMakeFiles/alloclab_lab.dir/src/lab/free.c.o.d"
  "CMakeFiles/alloclab_lab.dir/src/lab/heap.c.o"
  "CMakeFiles/alloclab_lab.dir/src/lab/heap.c.o.d"
  "CMakeFiles/alloclab_lab.dir/src/lab/huge.c.o"
  "CMakeFiles/alloclab_lab.dir/src/lab/huge.c.o.d"
  "CMakeFiles/alloclab_lab.dir/src/lab/init.c.o"
  "CMakeFiles/alloclab_lab.dir/src/lab/init.c.o.d"
  "CMakeFiles/alloclab_lab.dir/src/lab/options.c.o"
  "CMakeFiles/alloclab_lab.dir/src/lab/options.c.o.d"
  "CMakeFiles/alloclab_lab.dir/src/lab/os.c.o"
  "CMakeFiles/alloclab_lab.dir/src/lab/os.c.o.d"
  "CMakeFiles/alloclab_lab.dir/src/lab/page.c.o"
  "CMakeFiles/alloclab_lab.dir/src/lab/page.c.o.d"
  "CMakeFiles/alloclab_lab.dir/src/lab/segment.c.o"
  "CMakeFiles/alloclab_lab.dir/src/lab/segment.c.o.d"
  "CMakeFiles/alloclab_lab.dir/src/lab/segment_map.c.o"
  "CMakeFiles/alloclab_lab.dir/src/lab/segment_map.c.o.d"
  "CMakeFiles/alloclab_lab.dir/src/lab/size_class.c.o"
  "CMakeFiles/alloclab_lab.dir/src/lab/size_class.c.o.d"
  "CMakeFiles/alloclab_lab.dir/src/lab/stats.c.o"
  "CMakeFiles/alloclab_lab.dir/src/lab/stats.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/alloclab_lab.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
