# `cmake --install` (cmake/VomsreplInstall.cmake): the binary, the example configuration
# and the systemd unit generated with the paths of this install; the installed binary
# runs; no raw benchmark or reliability run files among the docs; a reinstall keeps an
# edited configuration.
# cmake -DBUILD_DIR=... -DPREFIX=... -P install_layout_test.cmake
file(REMOVE_RECURSE "${PREFIX}")
function(install_once)
  execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${PREFIX}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cmake --install failed: ${rc}\n${out}")
  endif()
endfunction()
install_once()
foreach(f bin/vomsrepl etc/vomsrepl/vomsrepl.toml lib/systemd/system/vomsrepl.service
          share/doc/vomsrepl/README.md share/doc/vomsrepl/voms-guide.md share/doc/vomsrepl/commands/README.md
          share/doc/vomsrepl/examples/vomsrepl.toml share/doc/vomsrepl/examples/prometheus-alerts.yml
          share/doc/vomsrepl/examples/grafana-dashboard.json)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(GLOB_RECURSE docs RELATIVE "${PREFIX}/share/doc/vomsrepl" "${PREFIX}/share/doc/vomsrepl/*")
list(LENGTH docs ndocs)
foreach(d ${docs})
  if(d MATCHES "benchmark-runs|reliability-runs|\\.tsv$")
    message(FATAL_ERROR "a raw run file installed as documentation: ${d}")
  endif()
endforeach()
if(ndocs GREATER 40)
  message(FATAL_ERROR "${ndocs} files installed under share/doc/vomsrepl: ${docs}")
endif()
execute_process(COMMAND "${PREFIX}/bin/vomsrepl" --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
foreach(cmd run check-config status dump stats)
  string(FIND "${help}" "  ${cmd}" at)
  if(at EQUAL -1 OR NOT rc EQUAL 0)
    message(FATAL_ERROR "installed vomsrepl --help does not list '${cmd}' (exit ${rc}):\n${help}")
  endif()
endforeach()
file(READ "${PREFIX}/lib/systemd/system/vomsrepl.service" unit)
foreach(want "ExecStart=${PREFIX}/bin/vomsrepl run --config ${PREFIX}/etc/vomsrepl/vomsrepl.toml"
             "ExecStartPre=${PREFIX}/bin/vomsrepl check-config --unreachable-ok --config ${PREFIX}/etc/vomsrepl/vomsrepl.toml"
             "Type=notify" "StateDirectory=vomsrepl" "LogsDirectory=vomsrepl" "WatchdogSec=")
  string(FIND "${unit}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the generated unit lacks '${want}':\n${unit}")
  endif()
endforeach()
if(unit MATCHES "@[A-Z_]+@|/usr/local/bin")
  message(FATAL_ERROR "the generated unit has a placeholder or a hard-coded path:\n${unit}")
endif()
# An edited configuration survives a reinstall.
file(APPEND "${PREFIX}/etc/vomsrepl/vomsrepl.toml" "# edited by the operator\n")
install_once()
file(READ "${PREFIX}/etc/vomsrepl/vomsrepl.toml" config)
string(FIND "${config}" "# edited by the operator" at)
if(at EQUAL -1)
  message(FATAL_ERROR "a reinstall overwrote the edited ${PREFIX}/etc/vomsrepl/vomsrepl.toml")
endif()
file(REMOVE_RECURSE "${PREFIX}")
