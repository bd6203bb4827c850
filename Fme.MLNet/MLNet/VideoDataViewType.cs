using Fme.MLNet.Imaging;
using Microsoft.ML.Data;

namespace Fme.MLNet.MLNet;

/// <summary>
/// The ML.NET column type of a video: each value is a <see cref="VideoFrames"/> (frames, size and frame rate travel with
/// the value). Registered with ML.NET's <see cref="DataViewTypeManager"/> for <see cref="VideoFrames"/> properties marked
/// <see cref="VideoTypeAttribute"/>, so <c>CreateEnumerable</c>, <c>Preview</c> and <c>PredictionEngine</c> can read it.
/// </summary>
public sealed class VideoDataViewType : StructuredDataViewType
{
    static VideoDataViewType()
    {
        Instance = new VideoDataViewType();
        new VideoTypeAttribute().Register();
    }

    private VideoDataViewType() : base(typeof(VideoFrames))
    {
    }

    /// <summary>The video type; there is one, since a video's shape is part of its value.</summary>
    public static VideoDataViewType Instance { get; }

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is VideoDataViewType;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is VideoDataViewType;

    /// <inheritdoc/>
    public override int GetHashCode() => typeof(VideoDataViewType).GetHashCode();

    /// <summary>"Video", as schema errors and <c>Preview</c> show it.</summary>
    public override string ToString() => "Video";
}

/// <summary>
/// Marks a <see cref="VideoFrames"/> field or property of a class that ML.NET reads rows into (<c>CreateEnumerable</c>,
/// <c>PredictionEngine</c>) as a <see cref="VideoDataViewType"/> column. ML.NET requires it: a property of a type it does
/// not know needs an attribute naming the column type.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class VideoTypeAttribute : DataViewTypeAttribute
{
    /// <summary>All video attributes are alike.</summary>
    public override bool Equals(DataViewTypeAttribute other) => other is VideoTypeAttribute;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is VideoTypeAttribute;

    /// <inheritdoc/>
    public override int GetHashCode() => typeof(VideoTypeAttribute).GetHashCode();

    /// <summary>Registers <see cref="VideoDataViewType"/> for <see cref="VideoFrames"/> (repeated calls are harmless).</summary>
    public override void Register() => DataViewTypeManager.Register(VideoDataViewType.Instance, typeof(VideoFrames), this);
}
