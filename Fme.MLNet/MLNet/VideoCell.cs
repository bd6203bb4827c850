using System.Runtime.ExceptionServices;
using Fme.MLNet.Imaging;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Fme.MLNet.MLNet;

/// <summary>
/// The video column of one row or cursor: reads the upstream image, copies its pixels at once (the upstream getter
/// disposes the image it handed out when it is next called), and generates the video. Keeps the result, or the error,
/// for the current row position, so the work is done once per row however often the getter is called.
/// </summary>
internal sealed class VideoCell
{
    private readonly VideoColumnBinding _binding;
    private readonly DataViewRow _input;
    private ValueGetter<MLImage>? _imageGetter;
    // Handed back to the upstream getter on the next call, which disposes it (ML.NET's ownership rule for images).
    private MLImage? _image;
    private long _position = -1;
    private VideoFrames? _video;
    private ExceptionDispatchInfo? _error;

    public VideoCell(VideoColumnBinding binding, DataViewRow input)
    {
        _binding = binding;
        _input = input;
    }

    public ValueGetter<VideoFrames> Getter => Get;

    private void Get(ref VideoFrames value)
    {
        var position = _input.Position;
        if (position != _position)
        {
            _position = position;
            _video = null;
            _error = null;
            try
            {
                _video = _binding.Owner.Generate(ReadImage(position), position);
            }
            catch (VideoGenerationException e)
            {
                _error = ExceptionDispatchInfo.Capture(e);
            }
        }
        _error?.Throw();
        value = _video!;
    }

    private RgbImage ReadImage(long position)
    {
        var column = _binding.ImageColumn.Name;
        string? tag = null;
        try
        {
            _imageGetter ??= _input.GetGetter<MLImage>(_binding.ImageColumn);
            var previous = _image;
            _imageGetter(ref _image!);
            // ResizeImages leaves the previous, disposed image in place when its source row has none.
            if (_image is null || (ReferenceEquals(_image, previous) && IsDisposed(_image)))
            {
                throw new InvalidDataException("the row holds no image (an empty image path gives none)");
            }
            tag = string.IsNullOrEmpty(_image.Tag) ? null : _image.Tag;
            return RgbImage.FromMLImage(_image, $"in column '{column}', row {position}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw _binding.Owner.RowError(position, "its image could not be read", e, tag);
        }
    }

    private static bool IsDisposed(MLImage image)
    {
        try
        {
            return image.Width < 0;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
