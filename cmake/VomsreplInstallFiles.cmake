# Run by `cmake --install` and CPack (install(SCRIPT), cmake/VomsreplInstall.cmake), with
# the prefix of THIS install in CMAKE_INSTALL_PREFIX.
#   * the systemd unit, generated from conf/vomsrepl.service.in (configure_file) with the
#     real paths of the binary and of the configuration;
#   * SYSCONFDIR/vomsrepl/vomsrepl.toml (mode 0640) only when there is none: an edited
#     configuration is never overwritten.
set(prefix "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/+$" "" prefix "${prefix}")
# GNUInstallDirs' rule for SYSCONFDIR.
if(prefix STREQUAL "/usr" OR prefix STREQUAL "")
  set(sysconfdir "/etc")
elseif(prefix MATCHES "^/opt/(.*)")
  set(sysconfdir "/etc/opt/${CMAKE_MATCH_1}")
else()
  set(sysconfdir "${prefix}/etc")
endif()
set(CMAKE_INSTALL_FULL_BINDIR "${prefix}/${VOMSREPL_BINDIR}")
set(CMAKE_INSTALL_FULL_DOCDIR "${prefix}/${VOMSREPL_DOCDIR}")
set(VOMSREPL_CONFIG_DIR "${sysconfdir}/vomsrepl")

set(unit_dir "$ENV{DESTDIR}${prefix}/lib/systemd/system")
configure_file("${VOMSREPL_SOURCE_DIR}/conf/vomsrepl.service.in" "${unit_dir}/vomsrepl.service" @ONLY)
file(CHMOD "${unit_dir}/vomsrepl.service" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
message(STATUS "Installing: ${unit_dir}/vomsrepl.service (${CMAKE_INSTALL_FULL_BINDIR}/vomsrepl, ${VOMSREPL_CONFIG_DIR}/vomsrepl.toml)")

set(config "$ENV{DESTDIR}${VOMSREPL_CONFIG_DIR}/vomsrepl.toml")
if(EXISTS "${config}")
  message(STATUS "Kept: ${config} (an existing configuration is never overwritten; the example is in ${CMAKE_INSTALL_FULL_DOCDIR}/examples)")
else()
  # file(INSTALL) puts $ENV{DESTDIR} in front of an absolute DESTINATION itself.
  file(INSTALL "${VOMSREPL_SOURCE_DIR}/conf/vomsrepl.toml" DESTINATION "${VOMSREPL_CONFIG_DIR}"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
endif()
