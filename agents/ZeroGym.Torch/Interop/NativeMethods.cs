using System.Runtime.InteropServices;
using ZeroGym.Interop;

namespace ZeroGym.Torch.Interop;

/// <summary>
/// Every function of libzerogym_torch (Native/zerogym_torch.h beside this file, same order). Functions returning a
/// <see cref="TensorHandle"/> return an invalid handle on failure (the <see cref="Tensor"/> constructor throws);
/// functions returning <see cref="Status"/> throw through its marshaller.
/// </summary>
internal static unsafe partial class NativeMethods
{
    public const string Library = "libzerogym_torch";

    static NativeMethods() =>
        NativeShimLoader.Register(typeof(NativeMethods).Assembly, Library, "agents/ZeroGym.Torch/Interop/Native/build.sh");

    // Errors and runtime.
    [LibraryImport(Library, EntryPoint = "zg_last_error")]
    public static partial IntPtr LastError();

    [LibraryImport(Library, EntryPoint = "zg_version")]
    public static partial IntPtr Version();

    [LibraryImport(Library, EntryPoint = "zg_cuda_is_available")]
    public static partial int CudaIsAvailable();

    [LibraryImport(Library, EntryPoint = "zg_cuda_is_compiled")]
    public static partial int CudaIsCompiled();

    [LibraryImport(Library, EntryPoint = "zg_cuda_device_count")]
    public static partial int CudaDeviceCount();

    [LibraryImport(Library, EntryPoint = "zg_manual_seed")]
    public static partial Status ManualSeed(long seed);

    [LibraryImport(Library, EntryPoint = "zg_get_num_threads")]
    public static partial int GetNumThreads();

    [LibraryImport(Library, EntryPoint = "zg_set_num_threads")]
    public static partial Status SetNumThreads(int threads);

    [LibraryImport(Library, EntryPoint = "zg_is_grad_enabled")]
    public static partial int IsGradEnabled();

    [LibraryImport(Library, EntryPoint = "zg_set_grad_enabled")]
    public static partial void SetGradEnabled(int enabled);

    [LibraryImport(Library, EntryPoint = "zg_live_tensor_count")]
    public static partial long LiveTensorCount();

    // Lifetime.
    [LibraryImport(Library, EntryPoint = "zg_tensor_free")]
    public static partial void TensorFree(IntPtr tensor);

    // Creation.
    [LibraryImport(Library, EntryPoint = "zg_tensor_from_data")]
    public static partial TensorHandle FromData(
        void* data, long byteCount, ScalarType type, long* shape, int dims, DeviceKind kind, int index);

    [LibraryImport(Library, EntryPoint = "zg_tensor_full")]
    public static partial TensorHandle Full(
        long* shape, int dims, double value, ScalarType type, DeviceKind kind, int index);

    [LibraryImport(Library, EntryPoint = "zg_tensor_rand")]
    public static partial TensorHandle Rand(
        long* shape, int dims, int normal, ScalarType type, DeviceKind kind, int index);

    [LibraryImport(Library, EntryPoint = "zg_tensor_arange")]
    public static partial TensorHandle Arange(long end, ScalarType type, DeviceKind kind, int index);

    [LibraryImport(Library, EntryPoint = "zg_tensor_cat")]
    public static partial TensorHandle Cat(IntPtr* tensors, long count, long dim, int stack);

    // Facts.
    [LibraryImport(Library, EntryPoint = "zg_tensor_dims")]
    public static partial int Dims(TensorHandle tensor);

    [LibraryImport(Library, EntryPoint = "zg_tensor_shape")]
    public static partial void Shape(TensorHandle tensor, long* shape);

    [LibraryImport(Library, EntryPoint = "zg_tensor_numel")]
    public static partial long NumElements(TensorHandle tensor);

    [LibraryImport(Library, EntryPoint = "zg_tensor_scalar_type")]
    public static partial int TypeOf(TensorHandle tensor);

    [LibraryImport(Library, EntryPoint = "zg_tensor_device")]
    public static partial DeviceKind DeviceOf(TensorHandle tensor, int* index);

    [LibraryImport(Library, EntryPoint = "zg_tensor_requires_grad")]
    public static partial int RequiresGrad(TensorHandle tensor);

    [LibraryImport(Library, EntryPoint = "zg_tensor_set_requires_grad")]
    public static partial Status SetRequiresGrad(TensorHandle tensor, int requiresGrad);

    [LibraryImport(Library, EntryPoint = "zg_tensor_grad")]
    public static partial Status Grad(TensorHandle tensor, out TensorHandle grad);

    // Data out.
    [LibraryImport(Library, EntryPoint = "zg_tensor_copy_to")]
    public static partial Status CopyTo(TensorHandle tensor, void* destination, long byteCount);

    [LibraryImport(Library, EntryPoint = "zg_tensor_item_double")]
    public static partial Status ItemDouble(TensorHandle tensor, out double value);

    [LibraryImport(Library, EntryPoint = "zg_tensor_item_long")]
    public static partial Status ItemLong(TensorHandle tensor, out long value);

    // Conversion and shape.
    [LibraryImport(Library, EntryPoint = "zg_tensor_to_device")]
    public static partial TensorHandle ToDevice(TensorHandle tensor, DeviceKind kind, int index);

    [LibraryImport(Library, EntryPoint = "zg_tensor_to_type")]
    public static partial TensorHandle ToType(TensorHandle tensor, ScalarType type);

    [LibraryImport(Library, EntryPoint = "zg_tensor_reshape")]
    public static partial TensorHandle Reshape(TensorHandle tensor, long* shape, int dims, int view);

    [LibraryImport(Library, EntryPoint = "zg_tensor_flatten")]
    public static partial TensorHandle Flatten(TensorHandle tensor, long startDim, long endDim);

    [LibraryImport(Library, EntryPoint = "zg_tensor_transpose")]
    public static partial TensorHandle Transpose(TensorHandle tensor, long dim0, long dim1);

    [LibraryImport(Library, EntryPoint = "zg_tensor_narrow")]
    public static partial TensorHandle Narrow(TensorHandle tensor, long dim, long start, long length);

    // Arithmetic, reductions, activations.
    [LibraryImport(Library, EntryPoint = "zg_unary")]
    public static partial TensorHandle Unary(UnaryOp op, TensorHandle tensor);

    [LibraryImport(Library, EntryPoint = "zg_binary")]
    public static partial TensorHandle Binary(BinaryOp op, TensorHandle left, TensorHandle right);

    [LibraryImport(Library, EntryPoint = "zg_scalar")]
    public static partial TensorHandle Scalar(ScalarOp op, TensorHandle tensor, double value);

    [LibraryImport(Library, EntryPoint = "zg_dim")]
    public static partial TensorHandle Dim(DimOp op, TensorHandle tensor, long dim, int keepDim);

    [LibraryImport(Library, EntryPoint = "zg_clamp")]
    public static partial TensorHandle Clamp(TensorHandle tensor, double min, double max);

    [LibraryImport(Library, EntryPoint = "zg_std")]
    public static partial TensorHandle Std(TensorHandle tensor, int unbiased);

    [LibraryImport(Library, EntryPoint = "zg_max_dim")]
    public static partial Status MaxDim(
        TensorHandle tensor, long dim, int keepDim, out TensorHandle values, out TensorHandle indices);

    [LibraryImport(Library, EntryPoint = "zg_gather")]
    public static partial TensorHandle Gather(TensorHandle tensor, long dim, TensorHandle index);

    [LibraryImport(Library, EntryPoint = "zg_multinomial")]
    public static partial TensorHandle Multinomial(TensorHandle probabilities, long samples);

    // Neural-network functions.
    [LibraryImport(Library, EntryPoint = "zg_linear")]
    public static partial TensorHandle Linear(TensorHandle input, TensorHandle weight, TensorHandle bias);

    [LibraryImport(Library, EntryPoint = "zg_conv2d")]
    public static partial TensorHandle Conv2d(
        TensorHandle input, TensorHandle weight, TensorHandle bias, long stride, long padding);

    [LibraryImport(Library, EntryPoint = "zg_smooth_l1_loss")]
    public static partial TensorHandle SmoothL1Loss(TensorHandle input, TensorHandle target, double beta);

    // Autograd and in-place updates.
    [LibraryImport(Library, EntryPoint = "zg_backward")]
    public static partial Status Backward(TensorHandle tensor);

    [LibraryImport(Library, EntryPoint = "zg_zero_grad")]
    public static partial void ZeroGrad(TensorHandle tensor);

    [LibraryImport(Library, EntryPoint = "zg_copy_")]
    public static partial Status CopyInPlace(TensorHandle destination, TensorHandle source);

    [LibraryImport(Library, EntryPoint = "zg_uniform_")]
    public static partial Status UniformInPlace(TensorHandle tensor, double low, double high);

    [LibraryImport(Library, EntryPoint = "zg_lerp_")]
    public static partial Status LerpInPlace(TensorHandle destination, TensorHandle end, double weight);

    [LibraryImport(Library, EntryPoint = "zg_orthogonal_")]
    public static partial Status OrthogonalInPlace(TensorHandle tensor, double gain);

    // Optimisers.
    [LibraryImport(Library, EntryPoint = "zg_adam_step")]
    public static partial Status AdamStep(
        IntPtr* parameters, IntPtr* expAvg, IntPtr* expAvgSq, long count, long step,
        double lr, double beta1, double beta2, double eps, double weightDecay);

    [LibraryImport(Library, EntryPoint = "zg_sgd_step")]
    public static partial Status SgdStep(
        IntPtr* parameters, IntPtr* momentumBuffers, long count, double lr, double momentum);

    [LibraryImport(Library, EntryPoint = "zg_clip_grad_norm")]
    public static partial Status ClipGradNorm(IntPtr* parameters, long count, double maxNorm, out double totalNorm);
}
