using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Fme.MLNet.MLNet;

/// <summary>
/// Makes <see cref="SchemaShape.Column"/> values. ML.NET keeps that struct's constructor internal, so packages outside
/// ML.NET call it by reflection; this is the one place that does, checked once, with a clear error if ML.NET changes it.
/// </summary>
internal static class SchemaShapeColumns
{
    private static readonly Lazy<ConstructorInfo> Constructor = new(FindConstructor);

    /// <summary>A scalar column of <paramref name="type"/> without annotations.</summary>
    public static SchemaShape.Column Scalar(string name, DataViewType type)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(type);
        try
        {
            return (SchemaShape.Column)Constructor.Value.Invoke([name, SchemaShape.Column.VectorKind.Scalar, type, false, null]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private static ConstructorInfo FindConstructor() =>
        typeof(SchemaShape.Column).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null,
            [typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape)], null)
        ?? throw new NotSupportedException(
            $"This version of ML.NET ({typeof(SchemaShape).Assembly.GetName().Version}) has no SchemaShape.Column constructor " +
            "(string, VectorKind, DataViewType, bool, SchemaShape); Fme.MLNet was built against Microsoft.ML 5.0.1.");
}
