# cmake/sanitize.cmake: WEIGHTINIT_SANITIZE=ON builds the host code of everything in this project
# (the library, the tool, the tests, the examples) with AddressSanitizer and UndefinedBehaviorSanitizer:
# C++ directly, the host side of .cu files through nvcc's -Xcompiler. Device code is unchanged.
# Undefined behaviour aborts (no recovery), so a test that triggers it fails. Included from the top
# CMakeLists.txt before any target is defined. .ci/run builds build-asan with it and runs the CPU
# suite with ASAN_OPTIONS / UBSAN_OPTIONS / LSAN_OPTIONS as set there (cmake/lsan.supp for the CUDA
# runtime's own allocations).
option(WEIGHTINIT_SANITIZE "Build host code with -fsanitize=address,undefined" OFF)
if(WEIGHTINIT_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "WEIGHTINIT_SANITIZE needs GCC or Clang as the host compiler")
  endif()
  # One flag per -Xcompiler: nvcc splits its argument at commas.
  set(_weightinit_san -fsanitize=address -fsanitize=undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  list(TRANSFORM _weightinit_san PREPEND "-Xcompiler=" OUTPUT_VARIABLE _weightinit_san_cuda)
  add_compile_options(
    "$<$<COMPILE_LANGUAGE:CXX>:${_weightinit_san}>"
    "$<$<COMPILE_LANGUAGE:CUDA>:${_weightinit_san_cuda}>")
  add_link_options(
    "$<$<LINK_LANGUAGE:CXX>:-fsanitize=address,undefined>"
    "$<$<LINK_LANGUAGE:CUDA>:-Xcompiler=-fsanitize=address,-fsanitize=undefined>")
  message(STATUS "weightinit: host code built with ASan and UBSan")
endif()
