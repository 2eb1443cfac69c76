namespace PaletteCluster.Training.Runtime;

/// <summary>An expected start-up failure (no CUDA, bad libtorch folder): its message is shown as is.</summary>
public sealed class TorchRuntimeException(string message) : Exception(message);
