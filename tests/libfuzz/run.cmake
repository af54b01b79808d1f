# run.cmake: one bounded libFuzzer run.  -DBIN -DCORPUS -DSEEDS (list) -DRUNS -DSECONDS
# A fixed seed and a fixed number of runs make it the same run on every machine,
# so CI fails only for a reason that reproduces (SECONDS is a cap for slow
# machines); campaigns that search for new crashes run the binary by hand.
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
execute_process(COMMAND ${BIN} -seed=1 -runs=${RUNS} -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=2048 -max_len=65536
                        -print_final_stats=1 ${CORPUS}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${BIN} found a crash (exit ${rc}); the input is saved as crash-* in the working directory")
endif()
