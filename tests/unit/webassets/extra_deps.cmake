# The asset test parses openapi.json.
target_link_libraries(unit_webassets PRIVATE nlohmann_json::nlohmann_json)
