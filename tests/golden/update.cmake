# cmake -DMGC=mgc -DMODELS="a.mg;b.mg" -DOUTDIR=generated -P update.cmake
foreach(model ${MODELS})
  get_filename_component(name ${model} NAME_WE)
  execute_process(COMMAND ${MGC} ${model} --name ${name} -o ${OUTDIR}/${name}.c RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "mgc failed on ${model}")
  endif()
  message(STATUS "wrote ${OUTDIR}/${name}.c")
endforeach()
