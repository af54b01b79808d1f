# cmake -DMGC=mgc -DMODELDIR=models -DOUTDIR=generated -P update.cmake
# Rewrites OUTDIR/NAME.c for every MODELDIR/NAME.mg, for review with git diff.
file(GLOB models ${MODELDIR}/*.mg)
list(SORT models)
foreach(model ${models})
  get_filename_component(name ${model} NAME_WE)
  execute_process(COMMAND ${MGC} ${model} --name ${name} -o ${OUTDIR}/${name}.c RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "mgc failed on ${model}")
  endif()
  message(STATUS "wrote ${OUTDIR}/${name}.c")
endforeach()
