using Microsoft.ML;

namespace Fme.MLNet.MLNet;

/// <summary>
/// How one input schema maps to the output schema: every input column at its own index, then the video column. Checks
/// the input on construction.
/// </summary>
internal sealed class VideoColumnBinding
{
    public VideoColumnBinding(GenerateVideoFmeTransformer owner, DataViewSchema inputSchema)
    {
        Owner = owner;
        ImageColumn = ColumnChecks.CheckInput(inputSchema, owner.Options);
        InputSchema = inputSchema;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(owner.Options.OutputColumnName, VideoDataViewType.Instance);
        OutputSchema = builder.ToSchema();
        VideoIndex = inputSchema.Count;
    }

    public GenerateVideoFmeTransformer Owner { get; }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    /// <summary>The image column of the input schema.</summary>
    public DataViewSchema.Column ImageColumn { get; }

    /// <summary>Index of the video column in <see cref="OutputSchema"/>.</summary>
    public int VideoIndex { get; }

    /// <summary>Whether any of <paramref name="outputColumns"/> is the video column.</summary>
    public bool NeedsVideo(IEnumerable<DataViewSchema.Column> outputColumns) => outputColumns.Any(c => c.Index == VideoIndex);

    /// <summary>The input columns that <paramref name="outputColumns"/> depend on: themselves, and the image for the video.</summary>
    public IEnumerable<DataViewSchema.Column> InputColumnsFor(IEnumerable<DataViewSchema.Column> outputColumns)
    {
        ArgumentNullException.ThrowIfNull(outputColumns);
        var indices = new SortedSet<int>();
        foreach (var column in outputColumns)
        {
            if (column.Index < 0 || column.Index > VideoIndex)
            {
                throw new ArgumentOutOfRangeException(nameof(outputColumns), column.Index,
                    $"Column '{column.Name}' (index {column.Index}) is not in the output schema of GenerateVideoFme ({VideoIndex + 1} columns).");
            }
            indices.Add(column.Index == VideoIndex ? ImageColumn.Index : column.Index);
        }
        return indices.Select(i => InputSchema[i]).ToArray();
    }
}
