# tests/boundary_test.cmake: tools/, bench/, examples/, python/ and model_io/ (the checkpoint I/O
# library the tool and the MPI example share) use the public headers only (DESIGN.md §2). Installs
# the library into a scratch prefix, copies those folders alone (no host/, kernels/, include/) into
# a scratch tree, and then
#   (1) every #include "..." of theirs must resolve inside that tree or to <weightinit/...>;
#   (2) every .cpp of tools/, bench/, examples/, model_io/ compiles (-fsyntax-only) against the
#       installed headers, the scratch tree and the system's (CUDA, CLI11, BLIS, Google Benchmark,
#       nlohmann-json, MPI) alone.
# tools/sass_probe.cu is the one exception, by design: it measures the kernels' own unit functions.
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${WORK_DIR}/prefix
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "install failed: ${rc}")
endif()
foreach(dir tools bench examples python model_io)
  file(COPY ${SOURCE_DIR}/${dir} DESTINATION ${WORK_DIR}/src)
endforeach()
file(GLOB_RECURSE sources RELATIVE ${WORK_DIR}/src
     ${WORK_DIR}/src/*.cpp ${WORK_DIR}/src/*.hpp ${WORK_DIR}/src/*.cu ${WORK_DIR}/src/*.cuh)
list(FILTER sources EXCLUDE REGEX "^tools/sass_probe\\.cu$")
set(includes_checked 0)
foreach(rel IN LISTS sources)
  get_filename_component(folder ${WORK_DIR}/src/${rel} DIRECTORY)
  file(STRINGS ${WORK_DIR}/src/${rel} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*" "\\1" inc "${line}")
    math(EXPR includes_checked "${includes_checked} + 1")
    if(inc MATCHES "^weightinit/")
      if(NOT EXISTS ${WORK_DIR}/prefix/include/${inc})
        message(FATAL_ERROR "${rel}: ${inc} is not an installed public header")
      endif()
    elseif(NOT EXISTS ${folder}/${inc} AND NOT EXISTS ${WORK_DIR}/src/${inc} AND
           NOT EXISTS ${WORK_DIR}/src/model_io/${inc})
      message(FATAL_ERROR "${rel}: #include \"${inc}\" reaches outside tools/, bench/, examples/, "
                          "python/, model_io/ and the public headers")
    endif()
  endforeach()
endforeach()
message(STATUS "${includes_checked} quoted includes of tools/, bench/, examples/, python/ resolve "
               "to their own files or installed public headers")

string(REPLACE "|" ";" EXTRA_INCLUDES "${EXTRA_INCLUDES}")
set(compiled 0)
foreach(rel IN LISTS sources)
  if(NOT rel MATCHES "^(tools|bench|examples|model_io)/.*\\.cpp$" OR rel MATCHES "^examples/consumer/")
    continue()
  endif()
  execute_process(COMMAND ${CXX} -std=c++17 -fsyntax-only -I${WORK_DIR}/src
                          -I${WORK_DIR}/src/model_io -I${WORK_DIR}/prefix/include -I${CUDA_INCLUDE}
                          ${EXTRA_INCLUDES}
                          ${WORK_DIR}/src/${rel}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "${rel} does not compile against the installed headers alone:\n${err}")
  endif()
  math(EXPR compiled "${compiled} + 1")
endforeach()
if(compiled LESS 10)
  message(FATAL_ERROR "only ${compiled} sources compiled: the test lost its inputs")
endif()
message(STATUS "${compiled} sources of tools/, bench/, examples/ compile against the installed headers")
