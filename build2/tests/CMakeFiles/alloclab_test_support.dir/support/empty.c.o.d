tests/CMakeFiles/alloclab_test_support.dir/support/empty.c.o: \
 /work/wt-lab/tests/support/empty.c /usr/include/stdc-predef.h
