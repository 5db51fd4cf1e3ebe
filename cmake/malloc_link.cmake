# Makes alloclab-malloc.o (see cmake/malloc.cmake). Called with
#   -DLD -DOBJCOPY -DOUT -DREGISTRY=<objects> -DMALLOC=<objects> [-DJE=<archive>]
#   -DREDIRECT=<objcopy --redefine-syms file> -DEXPORTS=<symbols kept global>
string(REPLACE " " ";" REGISTRY "${REGISTRY}")
string(REPLACE " " ";" MALLOC "${MALLOC}")
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
# 2. With the replacement's own files; only the entry points stay global.
run(${LD} -r -o ${OUT}.tmp ${reg} ${MALLOC})
run(${OBJCOPY} --keep-global-symbols=${EXPORTS} ${OUT}.tmp ${OUT})
file(REMOVE ${reg} ${OUT}.tmp)
