using System.Runtime.InteropServices;
using Fme.MLNet.Onnx;
using Fme.MLNet.Onnx.Proto;
using Google.Protobuf;

namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>
/// The value of a small tensor that is known before anything runs: a constant, or a value computed from
/// constants and input shapes (the Shape -> Gather -> Concat chains that feed Reshape targets). Each element
/// remembers which tensor axes its value was read from, so a cut along such an axis can be told apart.
/// </summary>
internal sealed class KnownValue
{
    private static readonly IReadOnlySet<(string, int)> NoSources = new HashSet<(string, int)>();

    public KnownValue(OnnxElementType type, long[] dims, long[]? ints, double[]? floats, IReadOnlySet<(string Tensor, int Axis)>[]? sources = null)
    {
        Type = type;
        Dims = dims;
        Ints = ints;
        Floats = floats;
        var count = ints?.Length ?? floats!.Length;
        Sources = sources ?? Enumerable.Repeat(NoSources, count).ToArray();
    }

    public OnnxElementType Type { get; }

    public long[] Dims { get; }

    /// <summary>Values of integer and boolean tensors.</summary>
    public long[]? Ints { get; }

    /// <summary>Values of floating-point tensors.</summary>
    public double[]? Floats { get; }

    /// <summary>Per element: the (tensor, axis) pairs whose sizes the value was computed from.</summary>
    public IReadOnlySet<(string Tensor, int Axis)>[] Sources { get; }

    public int Count => Ints?.Length ?? Floats!.Length;

    public bool IsInteger => Ints is not null;

    public double this[int i] => Ints is not null ? Ints[i] : Floats![i];

    public long Int(int i) => Ints is not null ? Ints[i] : (long)Floats![i];

    public static IReadOnlySet<(string, int)> Empty => NoSources;

    public static KnownValue Integers(OnnxElementType type, long[] dims, long[] values, IReadOnlySet<(string, int)>[]? sources = null) =>
        new(type, dims, values, null, sources);

    public static KnownValue Reals(OnnxElementType type, long[] dims, double[] values, IReadOnlySet<(string, int)>[]? sources = null) =>
        new(type, dims, null, values, sources);

    /// <summary>Whether any element depends on the size of one of the given (tensor, axis) pairs.</summary>
    public bool DependsOnAny(Func<(string Tensor, int Axis), bool> predicate) => Sources.Any(s => s.Any(predicate));

    /// <summary>The value as an initializer named <paramref name="name"/>.</summary>
    public TensorProto ToTensor(string name)
    {
        var t = new TensorProto { Name = name, DataType = (int)Type };
        t.Dims.AddRange(Dims);
        var n = Count;
        byte[] bytes = Type switch
        {
            OnnxElementType.Float => MemoryMarshal.AsBytes(Enumerable.Range(0, n).Select(i => (float)this[i]).ToArray().AsSpan()).ToArray(),
            OnnxElementType.Float16 => MemoryMarshal.AsBytes(Enumerable.Range(0, n).Select(i => (Half)this[i]).ToArray().AsSpan()).ToArray(),
            OnnxElementType.Double => MemoryMarshal.AsBytes(Enumerable.Range(0, n).Select(i => this[i]).ToArray().AsSpan()).ToArray(),
            OnnxElementType.Int64 => MemoryMarshal.AsBytes(Ints!.AsSpan()).ToArray(),
            OnnxElementType.Int32 => MemoryMarshal.AsBytes(Ints!.Select(v => (int)v).ToArray().AsSpan()).ToArray(),
            OnnxElementType.Bool or OnnxElementType.UInt8 => Ints!.Select(v => (byte)v).ToArray(),
            OnnxElementType.Int8 => Ints!.Select(v => (byte)(sbyte)v).ToArray(),
            _ => throw new PlanningException($"Cannot write a folded constant of type {OnnxElementTypes.Name(Type)} for '{name}'."),
        };
        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }
}
