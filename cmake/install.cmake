# make install: the libraries, headers, the binary, alloclab.pc and a CMake
# package (find_package(alloclab) -> alloclab::alloclab).
install(TARGETS alloclab alloclab_static alloclab_cli
        EXPORT alloclabTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/alloclab DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${CMAKE_BINARY_DIR}/alloclab.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(ALLOCLAB_PC_PRIVATE "-lpthread -ldl -lm")
if(ALLOCLAB_HAVE_JE)
  # A static link needs jemalloc's renamed archive as well.
  install(FILES ${CMAKE_BINARY_DIR}/liballoclab_jemalloc.a DESTINATION ${CMAKE_INSTALL_LIBDIR})
  set(ALLOCLAB_PC_PRIVATE "-lalloclab_jemalloc ${ALLOCLAB_PC_PRIVATE}")
endif()
# The .pc file finds its prefix from its own place, so an installed tree can
# be moved (and `cmake --install --prefix DIR` works without reconfiguring).
file(RELATIVE_PATH ALLOCLAB_PC_UP "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
# RELATIVE_PATH answers "../../": without the trailing slash, the paths built
# from it (libdir, includedir) have no "//".
string(REGEX REPLACE "/+$" "" ALLOCLAB_PC_UP "${ALLOCLAB_PC_UP}")
configure_file(cmake/alloclab.pc.in ${CMAKE_BINARY_DIR}/alloclab.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/alloclab.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
# The malloc replacement's static form (cmake/malloc.cmake).
if(ALLOCLAB_HAVE_MALLOC)
  configure_file(cmake/alloclab-malloc.pc.in ${CMAKE_BINARY_DIR}/alloclab-malloc.pc @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/alloclab-malloc.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endif()

include(CMakePackageConfigHelpers)
install(EXPORT alloclabTargets NAMESPACE alloclab::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/alloclab)
configure_package_config_file(cmake/alloclabConfig.cmake.in
  ${CMAKE_BINARY_DIR}/alloclabConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/alloclab)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/alloclabConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/alloclabConfig.cmake ${CMAKE_BINARY_DIR}/alloclabConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/alloclab)
install(TARGETS alloclab_tracer LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
