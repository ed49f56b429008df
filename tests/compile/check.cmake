# tests/compile/check.cmake: cmake -DCXX=... -DINCLUDE=... -DSOURCE=... -DMISUSE=N -P check.cmake
# MISUSE=0 compiles SOURCE as is and fails the test if that fails; MISUSE=N defines
# WEIGHTINIT_MISUSE=N and fails the test if that compiles.
set(args -std=c++17 -fsyntax-only -I${INCLUDE} ${SOURCE})
if(MISUSE EQUAL 0)
  execute_process(COMMAND ${CXX} ${args} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the correct usage does not compile:\n${err}")
  endif()
else()
  execute_process(COMMAND ${CXX} -DWEIGHTINIT_MISUSE=${MISUSE} ${args} RESULT_VARIABLE rc
                  ERROR_VARIABLE err)
  if(rc EQUAL 0)
    message(FATAL_ERROR "misuse ${MISUSE} of ${SOURCE} compiles; it must not")
  endif()
  # A misuse must fail on the call, not on something unrelated: the first error is on a line of the
  # misuse's own #elif block (after the block's marker).
  string(REGEX MATCH "misuse.cpp:([0-9]+):[0-9]+: error" first "${err}")
  set(error_line ${CMAKE_MATCH_1})
  file(STRINGS ${SOURCE} lines)
  set(n 0)
  set(begin -1)
  set(end -1)
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(begin LESS 0 AND line MATCHES "^#elif WEIGHTINIT_MISUSE == ${MISUSE}$")
      set(begin ${n})
    elseif(begin GREATER 0 AND end LESS 0 AND line MATCHES "^#(elif|endif)")
      set(end ${n})
    endif()
  endforeach()
  if(NOT error_line OR error_line LESS_EQUAL begin OR error_line GREATER_EQUAL end)
    message(FATAL_ERROR "misuse ${MISUSE}: the first error (line '${error_line}') is not in its "
                        "block (lines ${begin}..${end}):\n${err}")
  endif()
  message(STATUS "misuse ${MISUSE} refused on line ${error_line}, as expected")
endif()
