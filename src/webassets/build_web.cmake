# Runs the web build for ff_webassets (cmake -P, from CMakeLists.txt here):
# `npm ci` first only when web/node_modules is missing or older than the lock
# (the same rule as scripts/deps.sh, so with node_modules present no network is
# needed), then `npm run build -- --outdir=OUT_DIR`.
# Inputs: -DWEB_DIR=<repo>/web -DOUT_DIR=<dir> -DNPM=<npm>
set(stamp ${WEB_DIR}/node_modules/.stamp)
if(NOT EXISTS ${stamp} OR ${WEB_DIR}/package-lock.json IS_NEWER_THAN ${stamp})
  message(STATUS "webassets: npm ci in ${WEB_DIR}")
  execute_process(COMMAND ${NPM} ci --no-audit --no-fund --loglevel=error
                  WORKING_DIRECTORY ${WEB_DIR} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "webassets: npm ci failed in ${WEB_DIR} (run scripts/deps.sh build)")
  endif()
  file(TOUCH ${stamp})
endif()
execute_process(COMMAND ${NPM} run --silent build -- --outdir=${OUT_DIR}
                WORKING_DIRECTORY ${WEB_DIR} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "webassets: the web build failed (npm run build in ${WEB_DIR})")
endif()
