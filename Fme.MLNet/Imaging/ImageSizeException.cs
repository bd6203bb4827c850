namespace Fme.MLNet.Imaging;

/// <summary>An image has a zero or negative side, or more pixels than its <see cref="ImageSizeLimit"/> allows.</summary>
public sealed class ImageSizeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="item">Names the image (a file path, a column and row, ...).</param>
    /// <param name="width">Width found.</param>
    /// <param name="height">Height found.</param>
    /// <param name="maxPixels">The limit in force.</param>
    /// <param name="message">The full message.</param>
    /// <param name="paramName">The caller's parameter that carried the image.</param>
    public ImageSizeException(string item, long width, long height, long maxPixels, string message, string paramName)
        : base(message, paramName)
    {
        Item = item;
        Width = width;
        Height = height;
        MaxPixels = maxPixels;
    }

    /// <summary>Names the image.</summary>
    public string Item { get; }

    /// <summary>Width found, in pixels.</summary>
    public long Width { get; }

    /// <summary>Height found, in pixels.</summary>
    public long Height { get; }

    /// <summary>The limit in force, in pixels.</summary>
    public long MaxPixels { get; }
}
