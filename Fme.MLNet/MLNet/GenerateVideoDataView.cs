using Microsoft.ML;
using Microsoft.ML.Data;

namespace Fme.MLNet.MLNet;

/// <summary>The lazy output of <see cref="GenerateVideoFmeTransformer.Transform"/>.</summary>
internal sealed class GenerateVideoDataView(VideoColumnBinding binding, IDataView input) : IDataView
{
    public bool CanShuffle => input.CanShuffle;

    public DataViewSchema Schema => binding.OutputSchema;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        return new Cursor(binding, input.GetRowCursor(binding.InputColumnsFor(needed), rand), binding.NeedsVideo(needed));
    }

    /// <summary>One cursor per upstream cursor; they may run in parallel and share the transformer, which generates one
    /// video at a time.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        var video = binding.NeedsVideo(needed);
        return input.GetRowCursorSet(binding.InputColumnsFor(needed), n, rand)
            .Select(c => (DataViewRowCursor)new Cursor(binding, c, video))
            .ToArray();
    }

    /// <summary>A <see cref="VideoRow"/> over an upstream cursor, which it owns.</summary>
    private sealed class Cursor(VideoColumnBinding binding, DataViewRowCursor input, bool video) : DataViewRowCursor
    {
        private readonly VideoRow _row = new(binding, input, video);

        public override DataViewSchema Schema => _row.Schema;

        public override long Position => _row.Position;

        public override long Batch => _row.Batch;

        public override bool MoveNext() => input.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => _row.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                input.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
