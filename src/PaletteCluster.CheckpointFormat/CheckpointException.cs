namespace PaletteCluster.CheckpointFormat;

/// <summary>
/// An expected checkpoint error (missing, corrupt, truncated or incompatible files). The message is written for a
/// person: it names the checkpoint and/or file and says what is wrong, so callers print it without a stack trace.
/// </summary>
public class CheckpointException : Exception
{
    public CheckpointException(string message) : base(message) { }

    public CheckpointException(string message, Exception innerException) : base(message, innerException) { }
}
