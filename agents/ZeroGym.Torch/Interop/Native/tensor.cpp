// Tensor lifetime, creation, facts and data transfer.
#include "shim.h"

#include <c10/core/GradMode.h>
#include <torch/nn/init.h>

#include <cstring>
#include <stdexcept>
#include <vector>

using zg::unwrap;

void zg_tensor_free(zg_tensor tensor) {
  if (tensor == nullptr) return;
  delete reinterpret_cast<at::Tensor*>(tensor);
  zg::live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

zg_tensor zg_tensor_from_data(const void* data, int64_t byte_count, int scalar_type, const int64_t* shape,
                              int dims, int device_kind, int device_index) {
  return zg::guard_tensor([&] {
    at::Tensor host = at::empty(zg::shape_of(shape, dims), at::TensorOptions().dtype(zg::to_aten(scalar_type)));
    if (static_cast<int64_t>(host.nbytes()) != byte_count) {
      throw std::invalid_argument("expected " + std::to_string(host.nbytes()) + " bytes of data for shape " +
                                  c10::str(host.sizes()) + ", found " + std::to_string(byte_count));
    }
    if (byte_count > 0) std::memcpy(host.data_ptr(), data, static_cast<size_t>(byte_count));
    return host.to(zg::to_device(device_kind, device_index));
  });
}

zg_tensor zg_tensor_full(const int64_t* shape, int dims, double value, int scalar_type, int device_kind,
                         int device_index) {
  return zg::guard_tensor([&] {
    return at::full(zg::shape_of(shape, dims), value, zg::options(scalar_type, device_kind, device_index));
  });
}

zg_tensor zg_tensor_rand(const int64_t* shape, int dims, int normal, int scalar_type, int device_kind,
                         int device_index) {
  return zg::guard_tensor([&] {
    auto options = zg::options(scalar_type, device_kind, device_index);
    return normal ? at::randn(zg::shape_of(shape, dims), options) : at::rand(zg::shape_of(shape, dims), options);
  });
}

zg_tensor zg_tensor_arange(int64_t end, int scalar_type, int device_kind, int device_index) {
  return zg::guard_tensor([&] { return at::arange(end, zg::options(scalar_type, device_kind, device_index)); });
}

zg_tensor zg_tensor_cat(const zg_tensor* tensors, int64_t count, int64_t dim, int stack) {
  return zg::guard_tensor([&] {
    std::vector<at::Tensor> list;
    list.reserve(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) list.push_back(unwrap(tensors[i]));
    return stack ? at::stack(list, dim) : at::cat(list, dim);
  });
}

int zg_tensor_dims(zg_tensor tensor) { return static_cast<int>(unwrap(tensor).dim()); }

void zg_tensor_shape(zg_tensor tensor, int64_t* shape) {
  auto sizes = unwrap(tensor).sizes();
  std::copy(sizes.begin(), sizes.end(), shape);
}

int64_t zg_tensor_numel(zg_tensor tensor) { return unwrap(tensor).numel(); }

int zg_tensor_scalar_type(zg_tensor tensor) { return zg::from_aten(unwrap(tensor).scalar_type()); }

int zg_tensor_device(zg_tensor tensor, int* device_index) {
  at::Device device = unwrap(tensor).device();
  *device_index = device.has_index() ? device.index() : 0;
  return device.is_cuda() ? ZG_CUDA : ZG_CPU;
}

int zg_tensor_requires_grad(zg_tensor tensor) { return unwrap(tensor).requires_grad() ? 1 : 0; }

int zg_tensor_set_requires_grad(zg_tensor tensor, int requires_grad) {
  return zg::guard_status([&] { unwrap(tensor).set_requires_grad(requires_grad != 0); });
}

int zg_tensor_grad(zg_tensor tensor, zg_tensor* grad) {
  *grad = nullptr;
  return zg::guard_status([&] {
    const at::Tensor& value = unwrap(tensor).grad();
    if (value.defined()) *grad = zg::wrap(value);
  });
}

int zg_tensor_copy_to(zg_tensor tensor, void* destination, int64_t byte_count) {
  return zg::guard_status([&] {
    at::Tensor host = unwrap(tensor).detach().to(at::kCPU).contiguous();
    if (static_cast<int64_t>(host.nbytes()) != byte_count) {
      throw std::invalid_argument("expected room for " + std::to_string(host.nbytes()) + " bytes, found " +
                                  std::to_string(byte_count));
    }
    if (byte_count > 0) std::memcpy(destination, host.data_ptr(), static_cast<size_t>(byte_count));
  });
}

int zg_tensor_item_double(zg_tensor tensor, double* value) {
  return zg::guard_status([&] { *value = unwrap(tensor).item<double>(); });
}

int zg_tensor_item_long(zg_tensor tensor, int64_t* value) {
  return zg::guard_status([&] { *value = unwrap(tensor).item<int64_t>(); });
}

int zg_backward(zg_tensor tensor) {
  return zg::guard_status([&] { unwrap(tensor).backward(); });
}

void zg_zero_grad(zg_tensor tensor) { unwrap(tensor).mutable_grad().reset(); }

int zg_copy_(zg_tensor destination, zg_tensor source) {
  return zg::guard_status([&] { unwrap(destination).copy_(unwrap(source)); });
}

int zg_uniform_(zg_tensor tensor, double low, double high) {
  return zg::guard_status([&] {
    c10::NoGradGuard no_grad;
    unwrap(tensor).uniform_(low, high);
  });
}

int zg_lerp_(zg_tensor destination, zg_tensor end, double weight) {
  return zg::guard_status([&] {
    c10::NoGradGuard no_grad;
    unwrap(destination).lerp_(unwrap(end), weight);
  });
}

int zg_orthogonal_(zg_tensor tensor, double gain) {
  return zg::guard_status([&] {
    c10::NoGradGuard no_grad;
    torch::nn::init::orthogonal_(unwrap(tensor), gain);
  });
}
