# Install layout (GNUInstallDirs) and the Debian package (CPack DEB), issue 21.
#
#   cmake --install build [--prefix P]   P/bin/vomsrepl, P/lib/systemd/system/vomsrepl.service,
#                                        SYSCONFDIR/vomsrepl/vomsrepl.toml (only if absent),
#                                        P/share/doc/vomsrepl/{README.md,*.md,commands/,examples/}
#   cd build && cpack -G DEB             vomsrepl_VERSION_ARCH.deb (prefix /usr, config in /etc)
#
# SYSCONFDIR follows GNUInstallDirs: /etc for the prefix /usr, /etc/opt/... for /opt/...,
# else PREFIX/etc. It is worked out when installing (cmake/VomsreplInstallFiles.cmake),
# not when configuring, so that `--prefix` and CPack's /usr get the same layout as a
# configure-time CMAKE_INSTALL_PREFIX: the unit is generated (configure_file) there, with
# the binary and configuration paths of that install.
include(GNUInstallDirs)

install(TARGETS vomsrepl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES README.md docs/voms-guide.md docs/reliability.md docs/benchmarks.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# docs/benchmark-runs and docs/reliability-runs (raw measurement files) are not user docs.
install(DIRECTORY docs/commands DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES conf/vomsrepl.toml conf/prometheus-alerts.yml conf/grafana-dashboard.json
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(CODE "set(VOMSREPL_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")
set(VOMSREPL_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
set(VOMSREPL_DOCDIR \"${CMAKE_INSTALL_DOCDIR}\")")
install(SCRIPT cmake/VomsreplInstallFiles.cmake)

# ---- Debian package ----------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vomsrepl)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "vomsrepl maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "binlog replica feeder for the MariaDB/MySQL databases of VOMS servers")
set(CPACK_PACKAGE_DESCRIPTION
    "vomsrepl reads the master's binlog once, keeps the voms_* databases, journals them in RocksDB and applies them to every read-only replica exactly once. A systemd service (vomsrepl.service) running as the system user vomsrepl.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# DESTDIR staging: the install script sees CMAKE_INSTALL_PREFIX=/usr and puts the
# configuration in /etc, as on the target machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "mariadb-client")
# Maintainer scripts: postinst creates the system user and group vomsrepl and sets the
# configuration's owner and mode; conffiles keeps an edited /etc/vomsrepl/vomsrepl.toml
# on upgrade and reinstall (dpkg's conffile rules).
set(VOMSREPL_DEB_DIR ${CMAKE_BINARY_DIR}/debian)
configure_file(conf/debian/conffiles ${VOMSREPL_DEB_DIR}/conffiles COPYONLY)
foreach(script postinst prerm postrm)
  file(COPY conf/debian/${script} DESTINATION ${VOMSREPL_DEB_DIR}
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${VOMSREPL_DEB_DIR}/conffiles ${VOMSREPL_DEB_DIR}/postinst ${VOMSREPL_DEB_DIR}/prerm ${VOMSREPL_DEB_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
