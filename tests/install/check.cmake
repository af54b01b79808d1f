# check.cmake: the install test.  Takes BUILD (an mgc build folder, already
# built), PROJECT (the out-of-tree project), GENERATOR, CC, LINK_FLAGS, NATIVE
# and the GNUInstallDirs folders; installs BUILD into a temporary prefix,
# builds PROJECT against it, runs its trainer, checks the man page, and
# removes the temporary folder whatever happens.
if(DEFINED ENV{TMPDIR} AND IS_DIRECTORY "$ENV{TMPDIR}")
  set(base "$ENV{TMPDIR}")
else()
  set(base /tmp)
endif()
execute_process(COMMAND mktemp -d "${base}/mgc-install.XXXXXX" OUTPUT_VARIABLE tmp RESULT_VARIABLE rc
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0 OR NOT IS_DIRECTORY "${tmp}")
  message(FATAL_ERROR "cannot make a temporary folder in ${base}")
endif()
set(prefix "${tmp}/prefix")

macro(fail msg)
  file(REMOVE_RECURSE "${tmp}")
  message(FATAL_ERROR "${msg}")
endmacro()

# run(WHAT COMMAND...): run a command, fail with its output unless it exits 0;
# its standard output is left in `out`.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE e)
  if(NOT rc STREQUAL "0")
    string(JOIN " " cmd ${ARGN})
    fail("${what} failed (${rc}): ${cmd}\n--- stdout\n${o}\n--- stderr\n${e}")
  endif()
  set(out "${o}" PARENT_SCOPE)
endfunction()

# 1. install this build
run("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD}" --prefix "${prefix}")
foreach(f ${BINDIR}/mgc ${LIBDIR}/libmgrt.a ${INCLUDEDIR}/mgc/mg_model.h ${INCLUDEDIR}/mgc/mg_cli.h
    ${LIBDIR}/cmake/mgc/mgcConfig.cmake ${LIBDIR}/cmake/mgc/mgcConfigVersion.cmake
    ${LIBDIR}/cmake/mgc/mgcTargets.cmake ${LIBDIR}/cmake/mgc/mgc.cmake ${MANDIR}/man1/mgc.1)
  if(NOT EXISTS "${prefix}/${f}")
    fail("cmake --install did not install ${f}")
  endif()
endforeach()

# 2. the out-of-tree project, against the installed package only
run("configuring the project" "${CMAKE_COMMAND}" -S "${PROJECT}" -B "${tmp}/build" -G "${GENERATOR}"
  "-DCMAKE_C_COMPILER=${CC}" "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_EXE_LINKER_FLAGS=${LINK_FLAGS}"
  "-DMGC_NATIVE=${NATIVE}" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
file(STRINGS "${tmp}/build/CMakeCache.txt" dir REGEX "^mgc_DIR:")
if(NOT dir STREQUAL "mgc_DIR:PATH=${prefix}/${LIBDIR}/cmake/mgc")
  fail("find_package(mgc) found the wrong package: ${dir}")
endif()
run("building the project" "${CMAKE_COMMAND}" --build "${tmp}/build")
if(NOT EXISTS "${tmp}/build/mg_mymodel.c")
  fail("the project did not run mgc: no ${tmp}/build/mg_mymodel.c")
endif()
# the generated C is built as in-tree: -O3, and no contraction (mgc::mgrt's usage requirement)
file(READ "${tmp}/build/compile_commands.json" cc)
if(NOT cc MATCHES "-O3 [^\n]*-ffp-contract=off[^\n]*mg_mymodel\\.c|-ffp-contract=off[^\n]*-O3[^\n]*mg_mymodel\\.c")
  fail("mg_mymodel.c is not compiled with -O3 and -ffp-contract=off:\n${cc}")
endif()

# 3. its trainer trains
run("mymodel train" "${tmp}/build/mymodel" train --steps 5 --num 2)
string(REGEX MATCHALL "step +[0-9]+ / +5 \\| loss [0-9]+\\.[0-9]+" steps "${out}")
list(LENGTH steps n)
if(NOT n EQUAL 5)
  fail("mymodel train --steps 5 printed ${n} step lines, not 5:\n${out}")
endif()
run("mymodel --help" "${tmp}/build/mymodel" --help)
if(NOT out MATCHES "usage: ")
  fail("mymodel --help printed no usage:\n${out}")
endif()

# 4. the man page renders without a warning
find_program(GROFF groff)
if(GROFF)
  execute_process(COMMAND "${GROFF}" -man -Tutf8 -ww "${prefix}/${MANDIR}/man1/mgc.1"
    RESULT_VARIABLE rc OUTPUT_VARIABLE page ERROR_VARIABLE warnings)
  if(NOT rc EQUAL 0 OR NOT warnings STREQUAL "")
    fail("groff -man -ww on mgc.1 (${rc}):\n${warnings}")
  endif()
  if(NOT page MATCHES "gradient compiler")
    fail("the rendered man page has no NAME line:\n${page}")
  endif()
else()
  message(STATUS "groff not found: the man page is installed but not rendered (apt-get install groff-base)")
endif()

file(REMOVE_RECURSE "${tmp}")
message(STATUS "install test passed")
