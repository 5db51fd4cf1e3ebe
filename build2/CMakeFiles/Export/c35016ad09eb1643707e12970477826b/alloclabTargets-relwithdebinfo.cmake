#----------------------------------------------------------------
# Generated CMake target import file for configuration "RelWithDebInfo".
#----------------------------------------------------------------

# Commands may need to know the format version.
set(CMAKE_IMPORT_FILE_VERSION 1)

# Import target "alloclab::alloclab" for configuration "RelWithDebInfo"
set_property(TARGET alloclab::alloclab APPEND PROPERTY IMPORTED_CONFIGURATIONS RELWITHDEBINFO)
set_target_properties(alloclab::alloclab PROPERTIES
  IMPORTED_LOCATION_RELWITHDEBINFO "${_IMPORT_PREFIX}/lib/liballoclab.so.0.1.0"
  IMPORTED_SONAME_RELWITHDEBINFO "liballoclab.so.0"
  )

list(APPEND _cmake_import_check_targets alloclab::alloclab )
list(APPEND _cmake_import_check_files_for_alloclab::alloclab "${_IMPORT_PREFIX}/lib/liballoclab.so.0.1.0" )

# Import target "alloclab::alloclab_static" for configuration "RelWithDebInfo"
set_property(TARGET alloclab::alloclab_static APPEND PROPERTY IMPORTED_CONFIGURATIONS RELWITHDEBINFO)
set_target_properties(alloclab::alloclab_static PROPERTIES
  IMPORTED_LINK_INTERFACE_LANGUAGES_RELWITHDEBINFO "C"
  IMPORTED_LOCATION_RELWITHDEBINFO "${_IMPORT_PREFIX}/lib/liballoclab.a"
  )

list(APPEND _cmake_import_check_targets alloclab::alloclab_static )
list(APPEND _cmake_import_check_files_for_alloclab::alloclab_static "${_IMPORT_PREFIX}/lib/liballoclab.a" )

# Import target "alloclab::alloclab_cli" for configuration "RelWithDebInfo"
set_property(TARGET alloclab::alloclab_cli APPEND PROPERTY IMPORTED_CONFIGURATIONS RELWITHDEBINFO)
set_target_properties(alloclab::alloclab_cli PROPERTIES
  IMPORTED_LOCATION_RELWITHDEBINFO "${_IMPORT_PREFIX}/bin/alloclab"
  )

list(APPEND _cmake_import_check_targets alloclab::alloclab_cli )
list(APPEND _cmake_import_check_files_for_alloclab::alloclab_cli "${_IMPORT_PREFIX}/bin/alloclab" )

# Commands beyond this point should not need to know the version.
set(CMAKE_IMPORT_FILE_VERSION)
