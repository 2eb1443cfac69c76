using PaletteCluster.Imaging;

namespace PaletteCluster.Data;

/// <summary>An indexed set of images to train on: a folder of files or a set of shards.</summary>
public interface IImageSource
{
    int Count { get; }
    /// <summary>Where the images come from (a folder), for messages.</summary>
    string Root { get; }
    /// <summary>A stable name of item <paramref name="index"/> (relative path), for reports and fingerprints.</summary>
    string NameOf(int index);
    /// <summary>Changes when the set of images changes (so a resumed run can warn that its order will differ).</summary>
    string Fingerprint { get; }
    /// <exception cref="ImageDecodeException">The item cannot be decoded.</exception>
    RgbImage Load(int index);
}
