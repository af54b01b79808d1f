# cmake -DMGC=mgc -DMODEL=x.mg -DNAME=x -DEXPECTED=generated/x.c -P check.cmake
# Fails when mgc's output differs from the committed file, and says how to update.
set(out "${CMAKE_CURRENT_BINARY_DIR}/golden_${NAME}.c")
execute_process(COMMAND ${MGC} ${MODEL} --name ${NAME} -o ${out} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mgc failed on ${MODEL} (exit ${rc})")
endif()
if(NOT EXISTS ${EXPECTED})
  message(FATAL_ERROR "${EXPECTED} is missing: run cmake --build build --target update-generated")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${out} ${EXPECTED} RESULT_VARIABLE diff)
if(NOT diff EQUAL 0)
  execute_process(COMMAND diff -u ${EXPECTED} ${out})
  message(FATAL_ERROR "${EXPECTED} is not what mgc emits now; review the diff above and run\n"
                      "  cmake --build build --target update-generated")
endif()
message(STATUS "${NAME}: generated C matches ${EXPECTED}")
