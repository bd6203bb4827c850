using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Fme.BatchScoring;

/// <summary>
/// One of <see cref="Count"/> disjoint parts of an input folder, for splitting a batch over machines with no coordinator
/// (Kubernetes Indexed Jobs, Slurm job arrays). An image belongs to the shard its file name hashes to, so every machine
/// agrees without seeing the others' listings, wherever the folder is mounted, and adding images moves no other image.
/// </summary>
public readonly record struct ImageShard
{
    /// <summary>The whole folder.</summary>
    public static ImageShard All { get; } = new(0, 1);

    /// <summary>Shard <paramref name="index"/> of <paramref name="count"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is below 1, or the index is not in [0, count).</exception>
    public ImageShard(int index, int count)
    {
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The shard count must be at least 1; it is {count}.");
        }
        if (index < 0 || index >= count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The shard index must be in [0, {count - 1}] for {count} shards; it is {index}.");
        }
        (Index, Count) = (index, count);
    }

    /// <summary>Which shard this is, from 0.</summary>
    public int Index { get; }

    /// <summary>How many shards the folder is split into.</summary>
    public int Count { get; }

    /// <summary>Whether the image at <paramref name="imagePath"/> (only its file name counts) is in this shard.</summary>
    public bool Contains(string imagePath) => Count == 1 || ShardOf(Path.GetFileName(imagePath), Count) == Index;

    /// <summary>The shard of a file name: the first 8 bytes of its UTF-8 SHA-256, modulo the count (stable across runtimes, unlike string hash codes).</summary>
    public static int ShardOf(string fileName, int count)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(fileName), hash);
        return (int)(BinaryPrimitives.ReadUInt64LittleEndian(hash) % (ulong)count);
    }

    /// <inheritdoc />
    public override string ToString() => $"shard {Index} of {Count}";
}
