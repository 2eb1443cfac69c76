using System.Runtime.InteropServices;

namespace PaletteCluster.Training.Runtime;

/// <summary>
/// libtorch global switches that TorchSharp 0.107 does not expose, reached through libtorch_cpu's exported
/// C++ entry points (at::globalContext() and at::Context members; Itanium ABI names, x86-64 Linux).
/// </summary>
internal static partial class LibTorchSwitches
{
    [LibraryImport("libtorch_cpu.so", EntryPoint = "_ZN2at13globalContextEv")]
    private static partial nint GlobalContext();

    [LibraryImport("libtorch_cpu.so", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetUserEnabledMkldnn(nint context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport("libtorch_cpu.so", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetUserEnabledNNPACK(nint context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    /// <summary>NNPACK: when oneDNN is off libtorch tries it for convolutions and warns on every call on CPUs it does not support.</summary>
    public static void SetNnpackEnabled(bool enabled) => SetUserEnabledNNPACK(GlobalContext(), enabled);

    /// <summary>Turns oneDNN (mkldnn) kernels on or off for CPU ops; libtorch then uses its native kernels.</summary>
    public static void SetMkldnnEnabled(bool enabled) => SetUserEnabledMkldnn(GlobalContext(), enabled);
}
