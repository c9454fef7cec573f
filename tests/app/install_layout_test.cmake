# `cmake --install` puts the binary, the example configuration and the systemd
# unit where conf/vomsrepl.service expects them, and the installed binary runs.
# cmake -DBUILD_DIR=... -DPREFIX=... -P install_layout_test.cmake
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
foreach(f bin/vomsrepl etc/vomsrepl/vomsrepl.toml lib/systemd/system/vomsrepl.service
          share/doc/vomsrepl/README.md share/doc/vomsrepl/examples/vomsrepl.toml)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
execute_process(COMMAND "${PREFIX}/bin/vomsrepl" --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
foreach(cmd run check-config status dump stats)
  string(FIND "${help}" "  ${cmd}" at)
  if(at EQUAL -1 OR NOT rc EQUAL 0)
    message(FATAL_ERROR "installed vomsrepl --help does not list '${cmd}' (exit ${rc}):\n${help}")
  endif()
endforeach()
file(READ "${PREFIX}/lib/systemd/system/vomsrepl.service" unit)
string(FIND "${unit}" "vomsrepl run --config /etc/vomsrepl/vomsrepl.toml" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the unit does not run the installed configuration")
endif()
file(REMOVE_RECURSE "${PREFIX}")
