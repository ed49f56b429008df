# tests/readme_snippets.cmake: cmake -DCXX=... -DINCLUDE=... -DREADME=... -DWORK_DIR=... -P
# Compiles every ```cpp block of the README, so no example there can rot. Each block becomes the
# body of its own function (its #include lines go to the top of the file); the names the examples
# use for buffers and streams are declared by tests/readme_prelude.hpp.
file(READ ${README} text)
# CMake lists split on ';': carry the code's semicolons through the list operations as a placeholder.
string(REPLACE ";" "@SEMICOLON@" text "${text}")
string(REGEX MATCHALL "```cpp\n[^`]*```" blocks "${text}")
list(LENGTH blocks n)
if(n EQUAL 0)
  message(FATAL_ERROR "no ```cpp block in ${README}")
endif()
set(includes "#include \"${PRELUDE}\"\n")
set(bodies "")
set(i 0)
foreach(block IN LISTS blocks)
  string(REGEX REPLACE "^```cpp\n" "" block "${block}")
  string(REGEX REPLACE "```$" "" block "${block}")
  string(REGEX MATCHALL "#include[^\n]*\n" incs "${block}")
  foreach(inc IN LISTS incs)
    string(APPEND includes "${inc}")
  endforeach()
  string(REGEX REPLACE "#include[^\n]*\n" "" body "${block}")
  # `namespace wi = weightinit;` may open a block: it is declared by the prelude.
  string(REPLACE "namespace wi = weightinit@SEMICOLON@" "" body "${body}")
  string(APPEND bodies "void readme_snippet_${i}() {\n${body}\n}\n")
  math(EXPR i "${i} + 1")
endforeach()
set(source "${includes}\n${bodies}")
string(REPLACE "@SEMICOLON@" ";" source "${source}")
file(WRITE ${WORK_DIR}/readme_snippets.cpp "${source}")
execute_process(COMMAND ${CXX} -std=c++17 -fsyntax-only -Wall -Wno-unused-variable -I${INCLUDE}
                        ${WORK_DIR}/readme_snippets.cpp
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(rc)
  message(FATAL_ERROR "a README example does not compile (${WORK_DIR}/readme_snippets.cpp):\n${err}")
endif()
message(STATUS "${n} README examples compile")
