using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Fme.MLNet.MLNet;

/// <summary>
/// The schema checks of <c>GenerateVideoFme</c>, in ML.NET's words ("Could not find input column 'X'", "Schema mismatch
/// for input column 'X': expected Image, got String"), for both a full schema (<c>Fit</c>, <c>Transform</c>) and a schema
/// shape (<c>GetOutputSchema</c> of the estimator, which <c>EstimatorChain.Fit</c> calls first).
/// </summary>
internal static class ColumnChecks
{
    private const string ExpectedType = "Image";

    /// <summary>Checks a schema; returns the image column.</summary>
    public static DataViewSchema.Column CheckInput(DataViewSchema schema, GenerateVideoFmeOptions options)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var input = schema.GetColumnOrNull(options.InputColumnName)
            ?? throw NotFound(options.InputColumnName, nameof(schema));
        if (input.Type is not ImageDataViewType)
        {
            throw Mismatch(options.InputColumnName, $"{input.Type}", nameof(schema));
        }
        // A column already named like the output is hidden by the video column, as ML.NET's own transforms do.
        return input;
    }

    /// <summary>Checks a schema shape.</summary>
    public static void CheckInput(SchemaShape shape, GenerateVideoFmeOptions options)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var found = shape.Where(c => c.Name == options.InputColumnName).ToList();
        if (found.Count == 0)
        {
            throw NotFound(options.InputColumnName, "inputSchema");
        }
        var input = found[^1];
        if (input.Kind != SchemaShape.Column.VectorKind.Scalar || input.IsKey || input.ItemType is not ImageDataViewType)
        {
            throw Mismatch(options.InputColumnName, Describe(input), "inputSchema");
        }
    }

    private static string Describe(SchemaShape.Column column)
    {
        var item = column.IsKey ? $"Key<{column.ItemType}>" : $"{column.ItemType}";
        return column.Kind switch
        {
            SchemaShape.Column.VectorKind.Vector => $"Vector<{item}>",
            SchemaShape.Column.VectorKind.VariableVector => $"VarVector<{item}>",
            _ => item,
        };
    }

    private static ArgumentOutOfRangeException NotFound(string column, string paramName) =>
        new(paramName, $"Could not find input column '{column}'");

    private static ArgumentOutOfRangeException Mismatch(string column, string found, string paramName) =>
        new(paramName, $"Schema mismatch for input column '{column}': expected {ExpectedType}, got {found}");
}
