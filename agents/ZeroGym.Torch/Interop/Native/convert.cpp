// The ABI's codes for element types and devices, and their libtorch counterparts.
#include "shim.h"

#include <stdexcept>

at::ScalarType zg::to_aten(int scalar_type) {
  switch (scalar_type) {
    case ZG_FLOAT32: return at::kFloat;
    case ZG_FLOAT64: return at::kDouble;
    case ZG_INT64: return at::kLong;
    case ZG_INT32: return at::kInt;
    case ZG_UINT8: return at::kByte;
    case ZG_BOOL: return at::kBool;
    default: throw std::invalid_argument("unknown scalar type code " + std::to_string(scalar_type));
  }
}

int zg::from_aten(at::ScalarType type) noexcept {
  switch (type) {
    case at::kFloat: return ZG_FLOAT32;
    case at::kDouble: return ZG_FLOAT64;
    case at::kLong: return ZG_INT64;
    case at::kInt: return ZG_INT32;
    case at::kByte: return ZG_UINT8;
    case at::kBool: return ZG_BOOL;
    default: return -1;
  }
}

at::Device zg::to_device(int device_kind, int device_index) {
  switch (device_kind) {
    case ZG_CPU: return at::Device(at::kCPU);
    case ZG_CUDA: return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(device_index));
    default: throw std::invalid_argument("unknown device kind code " + std::to_string(device_kind));
  }
}

at::TensorOptions zg::options(int scalar_type, int device_kind, int device_index) {
  return at::TensorOptions().dtype(to_aten(scalar_type)).device(to_device(device_kind, device_index));
}

at::IntArrayRef zg::shape_of(const int64_t* shape, int dims) {
  return at::IntArrayRef(shape, static_cast<size_t>(dims));
}
