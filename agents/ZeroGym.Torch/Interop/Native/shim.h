// What every translation unit of the shim shares: turning C++ exceptions into recorded messages, and converting
// between the ABI's handles and codes and libtorch's types.
#pragma once

#include "zerogym_torch.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <atomic>
#include <string>
#include <utility>

namespace zg {

// Records the message of the exception being handled; call only inside a catch block.
void record_current_exception() noexcept;

extern std::atomic<int64_t> live_tensors;

inline at::Tensor& unwrap(zg_tensor handle) { return *reinterpret_cast<at::Tensor*>(handle); }

inline zg_tensor wrap(at::Tensor tensor) {
  auto* owned = new at::Tensor(std::move(tensor));
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return reinterpret_cast<zg_tensor>(owned);
}

// libtorch fixes a thread's OpenMP pool size on the thread's first parallel kernel, and OpenBLAS (OpenMP build) uses
// that size for matmuls: before it a 128x128 layer was split over every core, after it not, and the rounding differed.
// Fixing it before every operation makes results independent of which operations a process happened to run first,
// which a resumed training run needs to continue bit for bit. (A thread-local flag check once set.)
inline void fix_thread_pool() { at::internal::lazy_init_num_threads(); }

// Runs make() and hands its tensor to the caller, or records the exception and returns NULL.
template <class Make>
zg_tensor guard_tensor(Make&& make) noexcept {
  try {
    fix_thread_pool();
    return wrap(make());
  } catch (...) {
    record_current_exception();
    return nullptr;
  }
}

// Runs body() and returns 0, or records the exception and returns -1.
template <class Body>
int guard_status(Body&& body) noexcept {
  try {
    fix_thread_pool();
    body();
    return 0;
  } catch (...) {
    record_current_exception();
    return -1;
  }
}

at::ScalarType to_aten(int scalar_type);
int from_aten(at::ScalarType type) noexcept;
at::Device to_device(int device_kind, int device_index);
at::TensorOptions options(int scalar_type, int device_kind, int device_index);
at::IntArrayRef shape_of(const int64_t* shape, int dims);

}  // namespace zg
