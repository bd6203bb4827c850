using System.Globalization;

namespace Fme.MLNet.Onnx;

/// <summary>
/// A tensor dimension known symbolically, as a product c * a1 * a2 * ... of an integer and atoms. An atom is an input's
/// dim_param (<c>batch</c>) or an expression the product form cannot hold (<c>floor((-1+height)/2)</c>), kept as text.
/// Products and exact quotients stay in product form, so <c>(batch * num_frames) / num_frames</c> is <c>batch</c> again.
/// The text is what the builder writes as a value_info dim_param; equal text means equal size.
/// </summary>
internal readonly struct SymbolicDim : IEquatable<SymbolicDim>
{
    private static readonly string[] NoAtoms = [];
    private readonly string[]? _atoms;

    private SymbolicDim(long coefficient, string[] atoms)
    {
        Coefficient = coefficient;
        _atoms = atoms;
        Text = atoms.Length == 0
            ? coefficient.ToString(CultureInfo.InvariantCulture)
            : (coefficient == 1 ? "" : coefficient.ToString(CultureInfo.InvariantCulture) + "*") + string.Join("*", atoms);
    }

    /// <summary>The integer factor.</summary>
    public long Coefficient { get; }

    /// <summary>The atoms, sorted ordinally (empty for a constant).</summary>
    public string[] Atoms => _atoms ?? NoAtoms;

    /// <summary>Canonical text: a number, or the product written with '*'.</summary>
    public string Text { get; }

    /// <summary>Whether the dimension is a known number.</summary>
    public bool IsConstant => Atoms.Length == 0;

    /// <summary>A known number.</summary>
    public static SymbolicDim Of(long value) => new(value, NoAtoms);

    /// <summary>A named dimension (or an opaque expression).</summary>
    public static SymbolicDim Named(string name) => new(1, [name]);

    /// <summary>Product.</summary>
    public static SymbolicDim operator *(SymbolicDim a, SymbolicDim b)
    {
        if (a.Coefficient == 0 || b.Coefficient == 0)
        {
            return Of(0);
        }
        return new SymbolicDim(a.Coefficient * b.Coefficient, a.Atoms.Concat(b.Atoms).Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>Sum; like products add their factors, anything else becomes an opaque atom.</summary>
    public static SymbolicDim operator +(SymbolicDim a, SymbolicDim b)
    {
        if (a.Coefficient == 0)
        {
            return b;
        }
        if (b.Coefficient == 0)
        {
            return a;
        }
        if (a.Atoms.SequenceEqual(b.Atoms))
        {
            return new SymbolicDim(a.Coefficient + b.Coefficient, a.Atoms);
        }
        var (first, second) = string.CompareOrdinal(a.Text, b.Text) <= 0 ? (a, b) : (b, a);
        return Named($"({first.Text}+{second.Text})");
    }

    /// <summary>Integer division (truncating, as ONNX Div on integers): exact when the divisor's factors divide the dividend's.</summary>
    public static SymbolicDim operator /(SymbolicDim a, SymbolicDim b)
    {
        if (b.IsConstant && b.Coefficient == 1)
        {
            return a;
        }
        if (a.IsConstant && b.IsConstant && b.Coefficient != 0)
        {
            return Of(a.Coefficient / b.Coefficient);
        }
        var remaining = a.Atoms.ToList();
        var divides = b.Coefficient != 0 && a.Coefficient % b.Coefficient == 0 && b.Atoms.All(remaining.Remove);
        return divides
            ? new SymbolicDim(a.Coefficient / b.Coefficient, remaining.ToArray())
            : Named($"floor({a.Text}/{b.Text})");
    }

    /// <summary>ceil(a / divisor) for a positive divisor: exact when the factor divides, else an opaque atom.</summary>
    public static SymbolicDim CeilDiv(SymbolicDim a, long divisor)
    {
        if (divisor == 1 || a.Coefficient % divisor == 0)
        {
            return new SymbolicDim(a.Coefficient / divisor, a.Atoms);
        }
        return a.IsConstant
            ? Of((long)Math.Ceiling(a.Coefficient / (double)divisor))
            : Named($"ceil({a.Text}/{divisor.ToString(CultureInfo.InvariantCulture)})");
    }

    /// <inheritdoc />
    public bool Equals(SymbolicDim other) => Text == other.Text;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SymbolicDim other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Text;
}
