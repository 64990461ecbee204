/* The C ABI of libzerogym_torch: the only surface .NET sees of libtorch.
 *
 * Rules every function follows:
 * - No C++ exception ever leaves a function. A failing function records the exception's message (without
 *   libtorch's backtrace) in a thread-local buffer read by zg_last_error, and returns NULL (functions that
 *   return a tensor) or a non-zero status (functions that return int status).
 * - A zg_tensor owns one heap-allocated at::Tensor (one reference to its storage); zg_tensor_free drops it.
 * - Enum codes below are part of the ABI; ZeroGym.Torch/Interop/NativeCodes.cs mirrors them.
 */
#ifndef ZEROGYM_TORCH_H
#define ZEROGYM_TORCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZG_API __attribute__((visibility("default")))

typedef struct zg_tensor_s* zg_tensor;

/* Element types. */
enum { ZG_FLOAT32 = 0, ZG_FLOAT64 = 1, ZG_INT64 = 2, ZG_INT32 = 3, ZG_UINT8 = 4, ZG_BOOL = 5 };
/* Device kinds. */
enum { ZG_CPU = 0, ZG_CUDA = 1 };

/* Operations taking one tensor. */
enum {
  ZG_NEG = 0, ZG_SQRT = 1, ZG_EXP = 2, ZG_LOG = 3, ZG_ABS = 4, ZG_RELU = 5, ZG_TANH = 6, ZG_SIGMOID = 7,
  ZG_SUM = 8, ZG_MEAN = 9, ZG_DETACH = 10, ZG_CLONE = 11, ZG_CONTIGUOUS = 12
};
/* Operations taking two tensors. */
enum {
  ZG_ADD = 0, ZG_SUB = 1, ZG_MUL = 2, ZG_DIV = 3, ZG_MATMUL = 4, ZG_MINIMUM = 5, ZG_MAXIMUM = 6, ZG_EQ = 7,
  ZG_INDEX_SELECT0 = 8, ZG_MSE_LOSS = 9
};
/* Operations taking a tensor t and a number s. */
enum {
  ZG_ADD_S = 0,   /* t + s */
  ZG_SUB_S = 1,   /* t - s */
  ZG_S_SUB = 2,   /* s - t */
  ZG_MUL_S = 3,   /* t * s */
  ZG_DIV_S = 4,   /* t / s */
  ZG_S_DIV = 5,   /* s / t */
  ZG_POW_S = 6,   /* t ** s */
  ZG_LT_S = 7,    /* t < s */
  ZG_GT_S = 8     /* t > s */
};
/* Operations taking a tensor and one dimension (keep_dim matters to reductions only). */
enum {
  ZG_SUM_DIM = 0, ZG_MEAN_DIM = 1, ZG_ARGMAX_DIM = 2, ZG_SOFTMAX_DIM = 3, ZG_LOG_SOFTMAX_DIM = 4,
  ZG_SQUEEZE_DIM = 5, ZG_UNSQUEEZE_DIM = 6
};

/* Errors and runtime. */
ZG_API const char* zg_last_error(void);              /* UTF-8, valid until the next failure on this thread */
ZG_API const char* zg_version(void);
ZG_API int zg_cuda_is_available(void);
ZG_API int zg_cuda_is_compiled(void);                /* 1 when the linked libtorch has CUDA support */
ZG_API int zg_cuda_device_count(void);
ZG_API int zg_manual_seed(int64_t seed);
ZG_API int zg_get_num_threads(void);
ZG_API int zg_set_num_threads(int threads);
ZG_API int zg_is_grad_enabled(void);
ZG_API void zg_set_grad_enabled(int enabled);
ZG_API int64_t zg_live_tensor_count(void);           /* tensors allocated and not yet freed */

/* Lifetime. */
ZG_API void zg_tensor_free(zg_tensor tensor);

/* Creation. */
ZG_API zg_tensor zg_tensor_from_data(const void* data, int64_t byte_count, int scalar_type, const int64_t* shape,
                                     int dims, int device_kind, int device_index);
ZG_API zg_tensor zg_tensor_full(const int64_t* shape, int dims, double value, int scalar_type, int device_kind,
                                int device_index);
ZG_API zg_tensor zg_tensor_rand(const int64_t* shape, int dims, int normal, int scalar_type, int device_kind,
                                int device_index);
ZG_API zg_tensor zg_tensor_arange(int64_t end, int scalar_type, int device_kind, int device_index);
ZG_API zg_tensor zg_tensor_cat(const zg_tensor* tensors, int64_t count, int64_t dim, int stack);

/* Facts. */
ZG_API int zg_tensor_dims(zg_tensor tensor);
ZG_API void zg_tensor_shape(zg_tensor tensor, int64_t* shape);   /* writes zg_tensor_dims values */
ZG_API int64_t zg_tensor_numel(zg_tensor tensor);
ZG_API int zg_tensor_scalar_type(zg_tensor tensor);              /* -1 for a type outside the enum */
ZG_API int zg_tensor_device(zg_tensor tensor, int* device_index); /* returns the device kind */
ZG_API int zg_tensor_requires_grad(zg_tensor tensor);
ZG_API int zg_tensor_set_requires_grad(zg_tensor tensor, int requires_grad);
ZG_API int zg_tensor_grad(zg_tensor tensor, zg_tensor* grad);    /* *grad = NULL when there is none */

/* Data out. */
ZG_API int zg_tensor_copy_to(zg_tensor tensor, void* destination, int64_t byte_count);
ZG_API int zg_tensor_item_double(zg_tensor tensor, double* value);
ZG_API int zg_tensor_item_long(zg_tensor tensor, int64_t* value);

/* Conversion and shape. */
ZG_API zg_tensor zg_tensor_to_device(zg_tensor tensor, int device_kind, int device_index);
ZG_API zg_tensor zg_tensor_to_type(zg_tensor tensor, int scalar_type);
ZG_API zg_tensor zg_tensor_reshape(zg_tensor tensor, const int64_t* shape, int dims, int view);
ZG_API zg_tensor zg_tensor_flatten(zg_tensor tensor, int64_t start_dim, int64_t end_dim);
ZG_API zg_tensor zg_tensor_transpose(zg_tensor tensor, int64_t dim0, int64_t dim1);
ZG_API zg_tensor zg_tensor_narrow(zg_tensor tensor, int64_t dim, int64_t start, int64_t length);

/* Arithmetic, reductions, activations. */
ZG_API zg_tensor zg_unary(int op, zg_tensor tensor);
ZG_API zg_tensor zg_binary(int op, zg_tensor left, zg_tensor right);
ZG_API zg_tensor zg_scalar(int op, zg_tensor tensor, double value);
ZG_API zg_tensor zg_dim(int op, zg_tensor tensor, int64_t dim, int keep_dim);
ZG_API zg_tensor zg_clamp(zg_tensor tensor, double min, double max);
ZG_API zg_tensor zg_std(zg_tensor tensor, int unbiased);
ZG_API int zg_max_dim(zg_tensor tensor, int64_t dim, int keep_dim, zg_tensor* values, zg_tensor* indices);
ZG_API zg_tensor zg_gather(zg_tensor tensor, int64_t dim, zg_tensor index);
ZG_API zg_tensor zg_multinomial(zg_tensor probabilities, int64_t samples);

/* Neural-network functions (bias may be NULL). */
ZG_API zg_tensor zg_linear(zg_tensor input, zg_tensor weight, zg_tensor bias);
ZG_API zg_tensor zg_conv2d(zg_tensor input, zg_tensor weight, zg_tensor bias, int64_t stride, int64_t padding);
ZG_API zg_tensor zg_smooth_l1_loss(zg_tensor input, zg_tensor target, double beta);

/* Autograd and in-place updates. */
ZG_API int zg_backward(zg_tensor tensor);
ZG_API void zg_zero_grad(zg_tensor tensor);                       /* grad = None */
ZG_API int zg_copy_(zg_tensor destination, zg_tensor source);
ZG_API int zg_uniform_(zg_tensor tensor, double low, double high);  /* without recording gradients */
ZG_API int zg_lerp_(zg_tensor destination, zg_tensor end, double weight); /* without recording gradients */
ZG_API int zg_orthogonal_(zg_tensor tensor, double gain);          /* torch.nn.init.orthogonal_, unrecorded */

/* Optimisers: one call updates every parameter (those without a grad are skipped). */
ZG_API int zg_adam_step(const zg_tensor* parameters, const zg_tensor* exp_avg, const zg_tensor* exp_avg_sq,
                        int64_t count, int64_t step, double lr, double beta1, double beta2, double eps,
                        double weight_decay);
ZG_API int zg_sgd_step(const zg_tensor* parameters, const zg_tensor* momentum_buffers, int64_t count, double lr,
                       double momentum);
ZG_API int zg_clip_grad_norm(const zg_tensor* parameters, int64_t count, double max_norm, double* total_norm);

#ifdef __cplusplus
}
#endif

#endif
