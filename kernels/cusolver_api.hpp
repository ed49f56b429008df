// kernels/cusolver_api.hpp: the cuSOLVER entry points the GPU orthogonal calls, as a table of
// function pointers. host/cusolver_loader.cpp fills it by loading libcusolver on the first GPU
// orthogonal, so a program that never calls one never loads cuSOLVER (nor cuBLAS and cuBLASLt,
// which it pulls in). Plain C++: cuSOLVER's C header only.
#pragma once

#include <cusolverDn.h>

namespace weightinit {
namespace detail {

struct cusolver_api {
  decltype(&cusolverDnCreate) create = nullptr;
  decltype(&cusolverDnDestroy) destroy = nullptr;
  decltype(&cusolverDnSetStream) set_stream = nullptr;
  decltype(&cusolverDnSgeqrf_bufferSize) sgeqrf_size = nullptr;
  decltype(&cusolverDnDgeqrf_bufferSize) dgeqrf_size = nullptr;
  decltype(&cusolverDnSorgqr_bufferSize) sorgqr_size = nullptr;
  decltype(&cusolverDnDorgqr_bufferSize) dorgqr_size = nullptr;
  decltype(&cusolverDnSgeqrf) sgeqrf = nullptr;
  decltype(&cusolverDnDgeqrf) dgeqrf = nullptr;
  decltype(&cusolverDnSorgqr) sorgqr = nullptr;
  decltype(&cusolverDnDorgqr) dorgqr = nullptr;
};

}  // namespace detail
}  // namespace weightinit
