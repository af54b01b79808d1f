# smoke.cmake: runs mgc-bench (-DBENCH=path) with tiny settings and fails unless
# it exits 0 and prints the table header, a microgpt row, the three builds'
# rows (in process and whole command) and the targets.
# Timings are never checked.
execute_process(
  COMMAND ${BENCH} --steps 20 --runs 1 --interp-steps 5 --interp-runs 1 --tool-runs 1 --cmd-runs 1 --no-torch
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mgc-bench exited with ${rc}")
endif()
foreach(re "model +compiled +interpreter +pytorch f64 +interp/comp +torch/comp +mgc +cc -O2"
           "\nmicrogpt +[0-9.]+ us +[0-9.]+ us" "\nexact +[0-9.]+ us +[0-9.]+ ms +[0-9.]+ ms"
           "\n--fast \\(f64\\) +[0-9.]+ us" "\n--dtype=f32 +[0-9.]+ us" "targets \\(issue #20"
           "(PASS|MISS)  exact: training in at most 15 ms")
  if(NOT out MATCHES "${re}")
    message(FATAL_ERROR "mgc-bench's output does not match '${re}'")
  endif()
endforeach()
