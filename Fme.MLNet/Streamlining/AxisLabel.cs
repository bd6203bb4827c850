namespace Fme.MLNet.Streamlining;

/// <summary>What an input axis stands for.</summary>
public enum AxisLabel
{
    /// <summary>Not known.</summary>
    Other,
    /// <summary>Batch (images, or guidance halves).</summary>
    Batch,
    /// <summary>Video frames.</summary>
    Frames,
    /// <summary>Channels or features.</summary>
    Channels,
    /// <summary>Image height.</summary>
    Height,
    /// <summary>Image width.</summary>
    Width,
}
