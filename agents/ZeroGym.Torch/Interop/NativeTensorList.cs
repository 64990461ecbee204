namespace ZeroGym.Torch.Interop;

/// <summary>
/// The native pointers of several tensors, for shim functions taking an array of tensors. Each handle stays
/// referenced until <see cref="Dispose"/>, so a tensor disposed meanwhile on another thread is not freed mid-call.
/// </summary>
internal ref struct NativeTensorList
{
    private readonly IReadOnlyList<Tensor> tensors;
    private int acquired;

    /// <summary>Writes the pointer of <paramref name="tensors"/>[i] to <paramref name="pointers"/>[i].</summary>
    public NativeTensorList(IReadOnlyList<Tensor> tensors, Span<IntPtr> pointers)
    {
        this.tensors = tensors;
        try
        {
            while (acquired < tensors.Count)
            {
                TensorHandle handle = tensors[acquired].Handle;
                bool added = false;
                handle.DangerousAddRef(ref added);
                pointers[acquired] = handle.DangerousGetHandle();
                acquired++;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        for (int i = 0; i < acquired; i++) tensors[i].UncheckedHandle.DangerousRelease();
        acquired = 0;
    }
}
