namespace Fme.MLNet.Cluster.Jobs;

/// <summary>One image of a batch as submitted: what to read, its key and where its video goes.</summary>
[GenerateSerializer, Immutable]
public sealed record JobSpec
{
    /// <summary>The image's path relative to the batch's input root (unique in the batch).</summary>
    [Id(0)] public required string JobId { get; init; }

    /// <summary>The image file, as every worker sees it (a shared location).</summary>
    [Id(1)] public required string ImagePath { get; init; }

    /// <summary>The deterministic key: the image's content hash and the settings (see <see cref="JobKeys"/>).</summary>
    [Id(2)] public required string Key { get; init; }

    /// <summary>The video's deterministic path on the shared output location.</summary>
    [Id(3)] public required string OutputPath { get; init; }
}
