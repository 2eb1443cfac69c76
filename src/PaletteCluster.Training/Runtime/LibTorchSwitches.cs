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

    /// <summary>Turns oneDNN (mkldnn) kernels on or off for CPU ops; libtorch then uses its native kernels.</summary>
    public static void SetMkldnnEnabled(bool enabled) => SetUserEnabledMkldnn(GlobalContext(), enabled);
}
