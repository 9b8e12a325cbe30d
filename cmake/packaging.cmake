# Man pages, shell completion, install rules and the Debian packages.
#
# At build time each binary writes its own manual page (--man) from its CLI11
# tree and variable table, and `fortfail completion bash|zsh` its completion
# scripts, into ${CMAKE_BINARY_DIR}/man and ${CMAKE_BINARY_DIR}/completion.
# `make package` (cpack -G DEB) builds three component packages:
#   fortfail-orchestrator  the server, its systemd unit, /etc/fortfail/orchestrator.env
#   fortfail-agent         the agent, its systemd unit, /etc/fortfail/agent.env
#   fortfail               the CLI with bash and zsh completion
# Maintainer scripts come from deploy/debian/*.in, one template for both services.
# The web panel and API docs are compiled into the orchestrator (src/webassets):
# there are no asset files to ship.

set(FF_MAN_DIR ${CMAKE_BINARY_DIR}/man)
set(FF_COMPLETION_DIR ${CMAKE_BINARY_DIR}/completion)
set(ff_generated)
foreach(prog fortfail fortfail-agent fortfail-orchestrator)
  add_custom_command(
    OUTPUT ${FF_MAN_DIR}/${prog}.1 ${FF_MAN_DIR}/${prog}.1.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${FF_MAN_DIR}
    COMMAND sh -c "$<TARGET_FILE:${prog}> --man > ${prog}.1 && gzip -9n < ${prog}.1 > ${prog}.1.gz"
    WORKING_DIRECTORY ${FF_MAN_DIR}
    DEPENDS ${prog}
    COMMENT "Writing the man page of ${prog}"
    VERBATIM)
  list(APPEND ff_generated ${FF_MAN_DIR}/${prog}.1)
endforeach()
add_custom_command(
  OUTPUT ${FF_COMPLETION_DIR}/fortfail.bash ${FF_COMPLETION_DIR}/_fortfail
  COMMAND ${CMAKE_COMMAND} -E make_directory ${FF_COMPLETION_DIR}
  COMMAND sh -c "$<TARGET_FILE:fortfail> completion bash > fortfail.bash && $<TARGET_FILE:fortfail> completion zsh > _fortfail"
  WORKING_DIRECTORY ${FF_COMPLETION_DIR}
  DEPENDS fortfail
  COMMENT "Writing the shell completion of fortfail"
  VERBATIM)
list(APPEND ff_generated ${FF_COMPLETION_DIR}/fortfail.bash)
add_custom_target(ff_man_and_completion ALL DEPENDS ${ff_generated})

# Maintainer scripts: one template per script, filled in per service.
function(ff_maintainer_scripts component package user state_dir env_name role extra_dirs
         secrets_file)
  set(FF_PACKAGE ${package})
  set(FF_USER ${user})
  set(FF_STATE_DIR ${state_dir})
  set(FF_ENV_NAME ${env_name})
  set(FF_ROLE ${role})
  set(FF_EXTRA_DIRS "${extra_dirs}")
  set(FF_SECRETS_FILE "${secrets_file}")
  set(dir ${CMAKE_BINARY_DIR}/debian/${component})
  foreach(script postinst prerm postrm)
    configure_file(${CMAKE_SOURCE_DIR}/deploy/debian/${script}.in ${dir}/${script} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                   GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endforeach()
  file(WRITE ${dir}/conffiles "/etc/fortfail/${env_name}.env\n")
  string(TOUPPER ${component} upper)
  set(CPACK_DEBIAN_${upper}_PACKAGE_CONTROL_EXTRA
      "${dir}/postinst;${dir}/prerm;${dir}/postrm;${dir}/conffiles" PARENT_SCOPE)
endfunction()

ff_maintainer_scripts(orchestrator fortfail-orchestrator fortfail /var/lib/fortfail orchestrator
                      orchestrator "" /etc/fortfail/orchestrator-secrets.env)
ff_maintainer_scripts(agent fortfail-agent fortfail-agent /var/lib/fortfail-agent agent agent
                      /var/lib/fortfail-agent/restore "")

# Install rules (prefix /usr in the packages).
install(TARGETS fortfail-orchestrator RUNTIME DESTINATION bin COMPONENT orchestrator)
install(TARGETS fortfail-agent RUNTIME DESTINATION bin COMPONENT agent)
install(TARGETS fortfail RUNTIME DESTINATION bin COMPONENT cli)
install(FILES ${FF_MAN_DIR}/fortfail-orchestrator.1.gz DESTINATION share/man/man1
        COMPONENT orchestrator)
install(FILES ${FF_MAN_DIR}/fortfail-agent.1.gz DESTINATION share/man/man1 COMPONENT agent)
install(FILES ${FF_MAN_DIR}/fortfail.1.gz DESTINATION share/man/man1 COMPONENT cli)
install(FILES ${FF_COMPLETION_DIR}/fortfail.bash DESTINATION share/bash-completion/completions
        RENAME fortfail COMPONENT cli)
install(FILES ${FF_COMPLETION_DIR}/_fortfail DESTINATION share/zsh/vendor-completions
        COMPONENT cli)
install(FILES deploy/systemd/fortfail-orchestrator.service DESTINATION lib/systemd/system
        COMPONENT orchestrator)
install(FILES deploy/systemd/fortfail-agent.service DESTINATION lib/systemd/system
        COMPONENT agent)
install(FILES deploy/env/orchestrator.env DESTINATION /etc/fortfail COMPONENT orchestrator)
install(FILES deploy/env/agent.env DESTINATION /etc/fortfail COMPONENT agent)
foreach(pair orchestrator:fortfail-orchestrator agent:fortfail-agent cli:fortfail)
  string(REPLACE ":" ";" pair ${pair})
  list(GET pair 0 component)
  list(GET pair 1 package)
  install(FILES LICENSE DESTINATION share/doc/${package} RENAME copyright COMPONENT ${component})
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fortfail)
set(CPACK_PACKAGE_VENDOR "FortFail")
set(CPACK_PACKAGE_CONTACT "FortFail maintainers <fortfail@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "FortFail backup and restore")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL orchestrator agent cli)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_ORCHESTRATOR_PACKAGE_NAME fortfail-orchestrator)
set(CPACK_DEBIAN_AGENT_PACKAGE_NAME fortfail-agent)
set(CPACK_DEBIAN_CLI_PACKAGE_NAME fortfail)
# The maintainer scripts use useradd/groupadd/userdel (passwd).
set(CPACK_DEBIAN_ORCHESTRATOR_PACKAGE_DEPENDS passwd)
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS passwd)
set(CPACK_DEBIAN_ORCHESTRATOR_PACKAGE_RECOMMENDS fortfail)
set(CPACK_DEBIAN_AGENT_PACKAGE_SUGGESTS fortfail)
set(CPACK_COMPONENT_ORCHESTRATOR_DESCRIPTION
    "FortFail orchestrator: backup catalogue, jobs and audit log\nServes the FortFail API, the control panel and the live event stream; runs\nas the fortfail-orchestrator systemd service (user fortfail, state in\n/var/lib/fortfail, settings in /etc/fortfail/orchestrator.env).")
set(CPACK_COMPONENT_AGENT_DESCRIPTION
    "FortFail agent: backs up and restores this machine\nCarries out the orchestrator's backup and restore commands; runs as the\nfortfail-agent systemd service (user fortfail-agent, state in\n/var/lib/fortfail-agent, settings in /etc/fortfail/agent.env).")
set(CPACK_COMPONENT_CLI_DESCRIPTION
    "FortFail command line\nThe operator's `fortfail` command: agents, snapshots, backups, restores and\nevents, with bash and zsh completion.")
include(CPack)
