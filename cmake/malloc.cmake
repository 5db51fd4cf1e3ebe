# The malloc replacement (src/malloc/): build/liballoclab-malloc.so for
# LD_PRELOAD and liballoclab-malloc.a for a static link, both made of one
# relocatable object, alloclab-malloc.o:
#   1. a private copy of the library (registry, backends, wrappers) whose calls
#      to malloc, free, ... are renamed to al_libc_* (src/malloc/libc_redirect.txt):
#      inside the replacement they must reach glibc's allocator, not the
#      replacement itself; compiled with initial-exec TLS only;
#   2. linked with src/malloc/*.c and lab's objects (the same ones liballoclab
#      holds; lab never calls malloc, which the link checks) into one object
#      in which only the entry points stay global (src/malloc/exports.txt), so
#      it clashes with nothing, liballoclab included.
# Not built under sanitizers: their runtimes replace malloc themselves.
set(ALLOCLAB_HAVE_MALLOC OFF)
if(ALLOCLAB_SANITIZE)
  message(STATUS "malloc replacement: not built with ALLOCLAB_SANITIZE (the sanitizer runtime owns malloc)")
  return()
endif()
find_program(LD_TOOL NAMES ${CMAKE_LINKER} ld)
if(NOT LD_TOOL OR NOT OBJCOPY_TOOL)
  message(WARNING "malloc replacement: ld or objcopy not found (apt-get install binutils); not built")
  return()
endif()
set(ALLOCLAB_HAVE_MALLOC ON)

# lab itself is not compiled again here: the registry's lab backend and the
# entry points share the alloclab_lab objects (step 2), with lab's own flags.
add_library(alloclab_malloc_registry OBJECT ${ALLOCLAB_LIB_SOURCES})
set_target_properties(alloclab_malloc_registry PROPERTIES POSITION_INDEPENDENT_CODE ON
  C_VISIBILITY_PRESET hidden)
target_include_directories(alloclab_malloc_registry PRIVATE include src/core src/backends src/lab)
target_compile_definitions(alloclab_malloc_registry PRIVATE
  ALLOCLAB_HAVE_JE=$<BOOL:${ALLOCLAB_HAVE_JE}>
  ALLOCLAB_MI_SONAME="${ALLOCLAB_MI_SONAME}"
  ALLOCLAB_TC_SONAME="${ALLOCLAB_TC_SONAME}")
target_compile_options(alloclab_malloc_registry PRIVATE -ftls-model=initial-exec)

file(GLOB ALLOCLAB_MALLOC_SOURCES CONFIGURE_DEPENDS src/malloc/*.c)
add_library(alloclab_malloc_objects OBJECT ${ALLOCLAB_MALLOC_SOURCES})
set_target_properties(alloclab_malloc_objects PROPERTIES POSITION_INDEPENDENT_CODE ON
  C_VISIBILITY_PRESET hidden)
target_include_directories(alloclab_malloc_objects PRIVATE include src/malloc src/lab src/core)
# No call in the entry points may be turned into a call of an allocation
# function (calloc from malloc + memset would call itself).
target_compile_options(alloclab_malloc_objects PRIVATE -fno-builtin -ftls-model=initial-exec)

set(ALLOCLAB_MALLOC_OBJECT ${CMAKE_BINARY_DIR}/alloclab-malloc.o)
set(je_archive "")
if(ALLOCLAB_HAVE_JE)
  set(je_archive ${CMAKE_BINARY_DIR}/liballoclab_jemalloc.a)
endif()
add_custom_command(OUTPUT ${ALLOCLAB_MALLOC_OBJECT}
  COMMAND ${CMAKE_COMMAND} -DLD=${LD_TOOL} -DOBJCOPY=${OBJCOPY_TOOL} -DNM=${NM_TOOL} -DOUT=${ALLOCLAB_MALLOC_OBJECT}
          "-DREGISTRY=$<TARGET_OBJECTS:alloclab_malloc_registry>"
          "-DMALLOC=$<TARGET_OBJECTS:alloclab_malloc_objects>"
          "-DLAB=$<TARGET_OBJECTS:alloclab_lab>"
          -DJE=${je_archive}
          -DREDIRECT=${CMAKE_SOURCE_DIR}/src/malloc/libc_redirect.txt
          -DEXPORTS=${CMAKE_SOURCE_DIR}/src/malloc/exports.txt
          -P ${CMAKE_SOURCE_DIR}/cmake/malloc_link.cmake
  DEPENDS alloclab_malloc_registry alloclab_malloc_objects $<TARGET_OBJECTS:alloclab_malloc_registry>
          $<TARGET_OBJECTS:alloclab_malloc_objects> alloclab_lab $<TARGET_OBJECTS:alloclab_lab> ${je_archive}
          ${CMAKE_SOURCE_DIR}/cmake/malloc_link.cmake
          ${CMAKE_SOURCE_DIR}/src/malloc/libc_redirect.txt ${CMAKE_SOURCE_DIR}/src/malloc/exports.txt
  COMMENT "Linking the malloc replacement's object (alloclab-malloc.o)"
  VERBATIM)
if(ALLOCLAB_HAVE_JE)
  add_custom_target(alloclab_malloc_object DEPENDS ${ALLOCLAB_MALLOC_OBJECT} alloclab_jemalloc_renamed)
else()
  add_custom_target(alloclab_malloc_object DEPENDS ${ALLOCLAB_MALLOC_OBJECT})
endif()
set_source_files_properties(${ALLOCLAB_MALLOC_OBJECT} PROPERTIES EXTERNAL_OBJECT ON GENERATED ON)

add_library(alloclab_malloc SHARED ${ALLOCLAB_MALLOC_OBJECT})
set_target_properties(alloclab_malloc PROPERTIES OUTPUT_NAME alloclab-malloc LINKER_LANGUAGE C)
target_link_libraries(alloclab_malloc PRIVATE ${ALLOCLAB_SYSLIBS})
# Never unloaded (blocks it served may be freed until the process ends).
target_link_options(alloclab_malloc PRIVATE -Wl,--no-undefined -Wl,-z,nodelete)
add_dependencies(alloclab_malloc alloclab_malloc_object)

add_library(alloclab_malloc_static STATIC ${ALLOCLAB_MALLOC_OBJECT})
set_target_properties(alloclab_malloc_static PROPERTIES OUTPUT_NAME alloclab-malloc LINKER_LANGUAGE C)
add_dependencies(alloclab_malloc_static alloclab_malloc_object)
# A program linking the archive gets the whole replacement even if it never
# names malloc itself (-u malloc pulls the one member in).
target_link_options(alloclab_malloc_static INTERFACE -Wl,-u,malloc)
target_link_libraries(alloclab_malloc_static INTERFACE ${ALLOCLAB_SYSLIBS})

install(TARGETS alloclab_malloc alloclab_malloc_static
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
# alloclab-malloc.pc: cmake/install.cmake, beside alloclab.pc.
