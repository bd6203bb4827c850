using Fme.MLNet.Imaging;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Fme.MLNet.MLNet;

/// <summary>
/// One row of the transform's output over an upstream row: input columns pass through; the video column comes from a
/// <see cref="VideoCell"/>, made only when the video is active. The upstream row stays its owner's: it is not disposed
/// here. Cursors wrap one of these around their upstream cursor.
/// </summary>
internal sealed class VideoRow : DataViewRow
{
    private readonly VideoColumnBinding _binding;
    private readonly DataViewRow _input;
    private readonly VideoCell? _video;

    public VideoRow(VideoColumnBinding binding, DataViewRow input, bool videoActive)
    {
        _binding = binding;
        _input = input;
        _video = videoActive ? new VideoCell(binding, input) : null;
    }

    public override DataViewSchema Schema => _binding.OutputSchema;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        Check(column).Index == _binding.VideoIndex ? _video is not null : _input.IsColumnActive(_binding.InputSchema[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (Check(column).Index != _binding.VideoIndex)
        {
            return _input.GetGetter<TValue>(_binding.InputSchema[column.Index]);
        }
        if (_video is null)
        {
            throw new InvalidOperationException(
                $"Column '{column.Name}' was not asked for when the cursor or row was made; include it in the active columns to read it.");
        }
        if (typeof(TValue) != typeof(VideoFrames))
        {
            throw new InvalidOperationException(
                $"Invalid TValue in GetGetter for column '{column.Name}': '{typeof(TValue)}', expected '{typeof(VideoFrames)}'.");
        }
        return (ValueGetter<TValue>)(Delegate)_video.Getter;
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
