# CMake generated Testfile for 
# Source directory: /work/wt-lab
# Build directory: /work/wt-lab/build2
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("tests")
