# unit_agent builds raw (hostile) archives with libarchive directly.
target_link_libraries(unit_agent PRIVATE LibArchive::LibArchive)
