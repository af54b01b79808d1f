# run.cmake: one bounded libFuzzer run.  -DBIN -DCORPUS -DSEEDS (list) -DSECONDS
file(REMOVE_RECURSE ${CORPUS})
file(MAKE_DIRECTORY ${CORPUS})
foreach(dir ${SEEDS})
  file(GLOB seeds ${dir}/*)
  foreach(s ${seeds})
    if(NOT IS_DIRECTORY ${s})
      file(COPY ${s} DESTINATION ${CORPUS})
    endif()
  endforeach()
endforeach()
execute_process(COMMAND ${BIN} -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=2048 -max_len=65536
                        -print_final_stats=1 ${CORPUS}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${BIN} found a crash (exit ${rc}); the input is saved as crash-* in the working directory")
endif()
