using Fme.MLNet.Imaging;
using Microsoft.ML;

namespace Fme.MLNet.MLNet;

/// <summary>
/// What a row and a cursor of the transform share: input columns pass through from the upstream row; the video column
/// comes from a <see cref="VideoCell"/>, made only when the video is active.
/// </summary>
internal sealed class VideoRowColumns
{
    private readonly VideoColumnBinding _binding;
    private readonly DataViewRow _input;
    private readonly VideoCell? _video;

    public VideoRowColumns(VideoColumnBinding binding, DataViewRow input, bool videoActive)
    {
        _binding = binding;
        _input = input;
        _video = videoActive ? new VideoCell(binding, input) : null;
    }

    public DataViewSchema Schema => _binding.OutputSchema;

    public bool IsActive(DataViewSchema.Column column) =>
        column.Index == _binding.VideoIndex ? _video is not null : _input.IsColumnActive(_binding.InputSchema[Check(column).Index]);

    public ValueGetter<T> GetGetter<T>(DataViewSchema.Column column)
    {
        if (Check(column).Index != _binding.VideoIndex)
        {
            return _input.GetGetter<T>(_binding.InputSchema[column.Index]);
        }
        if (_video is null)
        {
            throw new InvalidOperationException(
                $"Column '{column.Name}' was not asked for when the cursor or row was made; include it in the active columns to read it.");
        }
        if (typeof(T) != typeof(VideoFrames))
        {
            throw new InvalidOperationException(
                $"Invalid TValue in GetGetter for column '{column.Name}': '{typeof(T)}', expected '{typeof(VideoFrames)}'.");
        }
        return (ValueGetter<T>)(Delegate)_video.Getter;
    }

    private DataViewSchema.Column Check(DataViewSchema.Column column)
    {
        if (column.Index < 0 || column.Index >= _binding.OutputSchema.Count || _binding.OutputSchema[column.Index].Name != column.Name)
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' (index {column.Index}) is not in this schema.");
        }
        return column;
    }
}
