// Optimiser steps and gradient clipping, each one call over every parameter so .NET pays one transition per step.
// The formulas are PyTorch 1.13's (torch/optim/adam.py, sgd.py, torch/nn/utils/clip_grad.py).
#include "shim.h"

#include <c10/core/GradMode.h>

#include <cmath>
#include <vector>

using zg::unwrap;

int zg_adam_step(const zg_tensor* parameters, const zg_tensor* exp_avg, const zg_tensor* exp_avg_sq, int64_t count,
                 int64_t step, double lr, double beta1, double beta2, double eps, double weight_decay) {
  return zg::guard_status([&] {
    c10::NoGradGuard no_grad;
    double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(step));
    double bias_correction2_sqrt = std::sqrt(1 - std::pow(beta2, static_cast<double>(step)));
    double step_size = lr / bias_correction1;
    for (int64_t i = 0; i < count; ++i) {
      at::Tensor& parameter = unwrap(parameters[i]);
      at::Tensor grad = parameter.grad();
      if (!grad.defined()) continue;
      if (weight_decay != 0) grad = grad.add(parameter, weight_decay);
      at::Tensor& mean = unwrap(exp_avg[i]);
      at::Tensor& square_mean = unwrap(exp_avg_sq[i]);
      mean.mul_(beta1).add_(grad, 1 - beta1);
      square_mean.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      at::Tensor denominator = (square_mean.sqrt() / bias_correction2_sqrt).add_(eps);
      parameter.addcdiv_(mean, denominator, -step_size);
    }
  });
}

int zg_sgd_step(const zg_tensor* parameters, const zg_tensor* momentum_buffers, int64_t count, double lr,
                double momentum) {
  return zg::guard_status([&] {
    c10::NoGradGuard no_grad;
    for (int64_t i = 0; i < count; ++i) {
      at::Tensor& parameter = unwrap(parameters[i]);
      const at::Tensor& grad = parameter.grad();
      if (!grad.defined()) continue;
      if (momentum_buffers == nullptr) {
        parameter.add_(grad, -lr);
        continue;
      }
      // PyTorch starts the buffer as a copy of the first grad; a zero buffer times momentum plus grad is the same.
      at::Tensor& buffer = unwrap(momentum_buffers[i]);
      buffer.mul_(momentum).add_(grad);
      parameter.add_(buffer, -lr);
    }
  });
}

int zg_clip_grad_norm(const zg_tensor* parameters, int64_t count, double max_norm, double* total_norm) {
  *total_norm = 0;
  return zg::guard_status([&] {
    c10::NoGradGuard no_grad;
    std::vector<at::Tensor> grads;
    for (int64_t i = 0; i < count; ++i) {
      const at::Tensor& grad = unwrap(parameters[i]).grad();
      if (grad.defined()) grads.push_back(grad);
    }
    if (grads.empty()) return;
    std::vector<at::Tensor> norms;
    norms.reserve(grads.size());
    for (const auto& grad : grads) norms.push_back(at::norm(grad, 2).to(grads[0].device()));
    at::Tensor norm = at::norm(at::stack(norms), 2);
    at::Tensor coefficient = at::clamp_max(max_norm / (norm + 1e-6), 1.0);
    for (auto& grad : grads) grad.mul_(coefficient.to(grad.device()));
    *total_norm = norm.item<double>();
  });
}
