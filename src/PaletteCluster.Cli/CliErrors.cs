using System.CommandLine;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Imaging;
using PaletteCluster.Training.Runtime;

namespace PaletteCluster.Cli;

/// <summary>
/// Expected failures (bad arguments, bad files, missing CUDA) are reported as one clear line and exit code 2;
/// only genuine bugs show a stack trace.
/// </summary>
public static class CliErrors
{
    public const int UsageError = 2;

    public static int Invoke(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsExpected(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UsageError;
        }
    }

    public static bool IsExpected(Exception e) => e is ArgumentException or CheckpointException or ImageDecodeException
        or TorchRuntimeException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
        or UnauthorizedAccessException or OperationCanceledException or PaletteCluster.Data.Shards.ShardIntegrityException
        or PaletteCluster.Api.Specs.JobSpecException or PaletteCluster.Api.Client.JobApiException or PaletteCluster.Storage.BlobStoreException;
}
