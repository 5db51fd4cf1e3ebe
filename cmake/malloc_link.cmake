# Makes alloclab-malloc.o (see cmake/malloc.cmake). Called with
#   -DLD -DOBJCOPY -DOUT -DREGISTRY=<objects> -DMALLOC=<objects> [-DJE=<archive>]
#   -DREDIRECT=<objcopy --redefine-syms file> -DEXPORTS=<symbols kept global>
string(REPLACE " " ";" REGISTRY "${REGISTRY}")
string(REPLACE " " ";" MALLOC "${MALLOC}")
string(REPLACE " " ";" LAB "${LAB}")
set(reg ${OUT}.registry.o)
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "malloc replacement: ${ARGN}: ${err}")
  endif()
endfunction()
# 1. The registry copy (with jemalloc's renamed archive), its allocation calls
#    sent to glibc's allocator.
run(${LD} -r -o ${reg} ${REGISTRY} ${JE})
run(${OBJCOPY} --redefine-syms=${REDIRECT} ${reg})
# 2. With lab and the replacement's own files; only the entry points stay
#    global. lab is the replacement's default and must never call the
#    functions it implements: an undefined reference to one would land back
#    in the replacement.
execute_process(COMMAND ${NM} -u ${LAB} OUTPUT_VARIABLE lab_undefined)
file(STRINGS ${REDIRECT} redirected)
foreach(line IN LISTS redirected)
  string(REGEX REPLACE " .*" "" fn "${line}")
  if(lab_undefined MATCHES "[ \t]${fn}\n")
    message(FATAL_ERROR "malloc replacement: lab calls ${fn}, which the replacement itself implements")
  endif()
endforeach()
run(${LD} -r -o ${OUT}.tmp ${reg} ${LAB} ${MALLOC})
run(${OBJCOPY} --keep-global-symbols=${EXPORTS} ${OUT}.tmp ${OUT})
file(REMOVE ${reg} ${OUT}.tmp)
