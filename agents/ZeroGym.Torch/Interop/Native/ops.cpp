// Operations that make a new tensor from existing ones: arithmetic, reductions, shape, activations, losses.
#include "shim.h"

#include <ATen/ScalarOps.h>

#include <cmath>
#include <stdexcept>

using zg::unwrap;

namespace {

// A whole number keeps an integer tensor integer, as `t + 2` does in Python; anything else is a double.
at::Scalar number_for(const at::Tensor& tensor, double value) {
  bool whole = std::nearbyint(value) == value && std::fabs(value) < 9.2e18;
  if (whole && !at::isFloatingType(tensor.scalar_type())) return at::Scalar(static_cast<int64_t>(value));
  return at::Scalar(value);
}

[[noreturn]] void unknown(const char* family, int op) {
  throw std::invalid_argument(std::string("unknown ") + family + " operation code " + std::to_string(op));
}

c10::optional<at::Tensor> optional(zg_tensor handle) {
  if (handle == nullptr) return c10::nullopt;
  return unwrap(handle);
}

}  // namespace

zg_tensor zg_tensor_to_device(zg_tensor tensor, int device_kind, int device_index) {
  return zg::guard_tensor([&] { return unwrap(tensor).to(zg::to_device(device_kind, device_index)); });
}

zg_tensor zg_tensor_to_type(zg_tensor tensor, int scalar_type) {
  return zg::guard_tensor([&] { return unwrap(tensor).to(zg::to_aten(scalar_type)); });
}

zg_tensor zg_tensor_reshape(zg_tensor tensor, const int64_t* shape, int dims, int view) {
  return zg::guard_tensor([&] {
    const at::Tensor& source = unwrap(tensor);
    return view ? source.view(zg::shape_of(shape, dims)) : source.reshape(zg::shape_of(shape, dims));
  });
}

zg_tensor zg_tensor_flatten(zg_tensor tensor, int64_t start_dim, int64_t end_dim) {
  return zg::guard_tensor([&] { return unwrap(tensor).flatten(start_dim, end_dim); });
}

zg_tensor zg_tensor_transpose(zg_tensor tensor, int64_t dim0, int64_t dim1) {
  return zg::guard_tensor([&] { return unwrap(tensor).transpose(dim0, dim1); });
}

zg_tensor zg_tensor_narrow(zg_tensor tensor, int64_t dim, int64_t start, int64_t length) {
  return zg::guard_tensor([&] { return unwrap(tensor).narrow(dim, start, length); });
}

zg_tensor zg_unary(int op, zg_tensor tensor) {
  return zg::guard_tensor([&]() -> at::Tensor {
    const at::Tensor& t = unwrap(tensor);
    switch (op) {
      case ZG_NEG: return at::neg(t);
      case ZG_SQRT: return at::sqrt(t);
      case ZG_EXP: return at::exp(t);
      case ZG_LOG: return at::log(t);
      case ZG_ABS: return at::abs(t);
      case ZG_RELU: return at::relu(t);
      case ZG_TANH: return at::tanh(t);
      case ZG_SIGMOID: return at::sigmoid(t);
      case ZG_SUM: return at::sum(t);
      case ZG_MEAN: return at::mean(t);
      case ZG_DETACH: return t.detach();
      case ZG_CLONE: return t.clone();
      case ZG_CONTIGUOUS: return t.contiguous();
      default: unknown("unary", op);
    }
  });
}

zg_tensor zg_binary(int op, zg_tensor left, zg_tensor right) {
  return zg::guard_tensor([&]() -> at::Tensor {
    const at::Tensor& a = unwrap(left);
    const at::Tensor& b = unwrap(right);
    switch (op) {
      case ZG_ADD: return at::add(a, b);
      case ZG_SUB: return at::sub(a, b);
      case ZG_MUL: return at::mul(a, b);
      case ZG_DIV: return at::div(a, b);
      case ZG_MATMUL: return at::matmul(a, b);
      case ZG_MINIMUM: return at::minimum(a, b);
      case ZG_MAXIMUM: return at::maximum(a, b);
      case ZG_EQ: return at::eq(a, b);
      case ZG_INDEX_SELECT0: return at::index_select(a, 0, b);
      case ZG_MSE_LOSS: return at::mse_loss(a, b, at::Reduction::Mean);
      default: unknown("binary", op);
    }
  });
}

zg_tensor zg_scalar(int op, zg_tensor tensor, double value) {
  return zg::guard_tensor([&]() -> at::Tensor {
    const at::Tensor& t = unwrap(tensor);
    at::Scalar s = number_for(t, value);
    switch (op) {
      case ZG_ADD_S: return at::add(t, s);
      case ZG_SUB_S: return at::sub(t, s);
      case ZG_S_SUB: return at::rsub(t, s);
      case ZG_MUL_S: return at::mul(t, s);
      case ZG_DIV_S: return at::div(t, s);
      case ZG_S_DIV: return at::div(at::native::wrapped_scalar_tensor(s), t);
      case ZG_POW_S: return at::pow(t, s);
      case ZG_LT_S: return at::lt(t, s);
      case ZG_GT_S: return at::gt(t, s);
      default: unknown("scalar", op);
    }
  });
}

zg_tensor zg_dim(int op, zg_tensor tensor, int64_t dim, int keep_dim) {
  return zg::guard_tensor([&]() -> at::Tensor {
    const at::Tensor& t = unwrap(tensor);
    bool keep = keep_dim != 0;
    switch (op) {
      case ZG_SUM_DIM: return at::sum(t, {dim}, keep);
      case ZG_MEAN_DIM: return at::mean(t, {dim}, keep);
      case ZG_ARGMAX_DIM: return at::argmax(t, dim, keep);
      case ZG_SOFTMAX_DIM: return at::softmax(t, dim);
      case ZG_LOG_SOFTMAX_DIM: return at::log_softmax(t, dim);
      case ZG_SQUEEZE_DIM: return at::squeeze(t, dim);
      case ZG_UNSQUEEZE_DIM: return at::unsqueeze(t, dim);
      default: unknown("dimension", op);
    }
  });
}

zg_tensor zg_clamp(zg_tensor tensor, double min, double max) {
  return zg::guard_tensor([&] {
    const at::Tensor& t = unwrap(tensor);
    return at::clamp(t, number_for(t, min), number_for(t, max));
  });
}

zg_tensor zg_std(zg_tensor tensor, int unbiased) {
  return zg::guard_tensor([&] { return at::std(unwrap(tensor), unbiased != 0); });
}

int zg_max_dim(zg_tensor tensor, int64_t dim, int keep_dim, zg_tensor* values, zg_tensor* indices) {
  *values = nullptr;
  *indices = nullptr;
  return zg::guard_status([&] {
    auto result = at::max(unwrap(tensor), dim, keep_dim != 0);
    *values = zg::wrap(std::get<0>(result));
    *indices = zg::wrap(std::get<1>(result));
  });
}

zg_tensor zg_gather(zg_tensor tensor, int64_t dim, zg_tensor index) {
  return zg::guard_tensor([&] { return at::gather(unwrap(tensor), dim, unwrap(index)); });
}

zg_tensor zg_multinomial(zg_tensor probabilities, int64_t samples) {
  return zg::guard_tensor([&] { return at::multinomial(unwrap(probabilities), samples, /*replacement=*/false); });
}

zg_tensor zg_linear(zg_tensor input, zg_tensor weight, zg_tensor bias) {
  return zg::guard_tensor([&] { return at::linear(unwrap(input), unwrap(weight), optional(bias)); });
}

zg_tensor zg_conv2d(zg_tensor input, zg_tensor weight, zg_tensor bias, int64_t stride, int64_t padding) {
  return zg::guard_tensor([&] {
    return at::conv2d(unwrap(input), unwrap(weight), optional(bias), {stride, stride}, {padding, padding});
  });
}

zg_tensor zg_smooth_l1_loss(zg_tensor input, zg_tensor target, double beta) {
  return zg::guard_tensor([&] {
    return at::smooth_l1_loss(unwrap(input), unwrap(target), at::Reduction::Mean, beta);
  });
}
