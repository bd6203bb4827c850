using Microsoft.ML;
using Microsoft.ML.Data;

namespace Fme.MLNet.MLNet;

/// <summary>Maps single rows (what <c>PredictionEngine</c> and a chain's row mapper use).</summary>
internal sealed class GenerateVideoRowMapper(VideoColumnBinding binding) : IRowToRowMapper
{
    public DataViewSchema InputSchema => binding.InputSchema;

    public DataViewSchema OutputSchema => binding.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        binding.InputColumnsFor(dependingColumns);

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(activeColumns);
        if (input.Schema != binding.InputSchema)
        {
            throw new ArgumentException("The row's schema is not the schema this mapper was made for; make a mapper for it with GetRowToRowMapper.", nameof(input));
        }
        return new VideoRow(binding, input, binding.NeedsVideo(activeColumns));
    }
}
