# cmake -DNM=... -DOBJCOPY=... -DIN=lib.a -DOUT=out.a -DPREFIX=p_ -P rename_symbols.cmake
# Copies a static archive, renaming every global symbol it defines to PREFIX+name
# (definitions and references alike), so that it can be linked into a program
# that keeps its own malloc.
cmake_minimum_required(VERSION 3.20)
execute_process(COMMAND ${NM} -g --defined-only ${IN}
                OUTPUT_VARIABLE syms RESULT_VARIABLE rc ERROR_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm failed on ${IN}")
endif()
string(REGEX MATCHALL "[0-9a-f]+ [A-Za-z] [^\n]+" lines "${syms}")
set(map "")
set(seen "")
foreach(line IN LISTS lines)
  string(REGEX REPLACE "^[0-9a-f]+ [A-Za-z] " "" name "${line}")
  if(NOT name IN_LIST seen)
    list(APPEND seen "${name}")
    string(APPEND map "${name} ${PREFIX}${name}\n")
  endif()
endforeach()
file(WRITE ${OUT}.syms "${map}")
execute_process(COMMAND ${OBJCOPY} --redefine-syms=${OUT}.syms ${IN} ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "objcopy failed on ${IN}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
