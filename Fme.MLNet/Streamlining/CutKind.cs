namespace Fme.MLNet.Streamlining;

/// <summary>What the axis a group is cut along stands for.</summary>
public enum CutKind
{
    /// <summary>The group runs whole, in one piece.</summary>
    None,
    /// <summary>Cut along the batch axis alone (for example the two guidance halves).</summary>
    Batch,
    /// <summary>Cut along frames (the batch x frames axis of spatial layers): <see cref="StreamlineOptions.FrameChunks"/> pieces.</summary>
    Frames,
    /// <summary>Cut along pixels (height, width, or batch x pixels of temporal layers): <see cref="StreamlineOptions.PixelChunks"/> pieces.</summary>
    Pixels,
    /// <summary>Cut along an axis whose meaning is not known.</summary>
    Other,
}
