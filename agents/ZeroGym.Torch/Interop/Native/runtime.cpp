// Process-wide and thread-wide libtorch settings: version, CUDA, seeding, threads, grad mode.
#include "shim.h"

#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/GradMode.h>
#include <torch/cuda.h>
#include <torch/version.h>

std::atomic<int64_t> zg::live_tensors{0};

const char* zg_version(void) { return TORCH_VERSION; }

int zg_cuda_is_available(void) {
  try {
    return torch::cuda::is_available() ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

int zg_cuda_is_compiled(void) {
  try {
    // libtorch_cuda registers its hooks when loaded; a CPU-only libtorch has none.
    return at::CUDAHooksRegistry()->Has("CUDAHooks") ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

int zg_cuda_device_count(void) {
  try {
    return static_cast<int>(torch::cuda::device_count());
  } catch (...) {
    return 0;
  }
}

int zg_manual_seed(int64_t seed) {
  return zg::guard_status([&] { at::manual_seed(static_cast<uint64_t>(seed)); });
}

int zg_get_num_threads(void) { return at::get_num_threads(); }

int zg_set_num_threads(int threads) {
  return zg::guard_status([&] { at::set_num_threads(threads); });
}

int zg_is_grad_enabled(void) { return c10::GradMode::is_enabled() ? 1 : 0; }

void zg_set_grad_enabled(int enabled) { c10::GradMode::set_enabled(enabled != 0); }

int64_t zg_live_tensor_count(void) { return zg::live_tensors.load(std::memory_order_relaxed); }
