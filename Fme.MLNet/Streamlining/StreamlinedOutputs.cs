using System.Collections;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Streamlining;

/// <summary>
/// The outputs of <see cref="StreamlinedSession.Run(IReadOnlyDictionary{string, OrtValue}, RunOptions?, CancellationToken)"/>,
/// in the model's output order. The values point into memory this collection owns: dispose it when done.
/// </summary>
public sealed class StreamlinedOutputs : IDisposableReadOnlyCollection<OrtValue>
{
    private readonly IReadOnlyList<OrtValue> _values;
    private readonly IReadOnlyList<IDisposable> _owned;
    private bool _disposed;

    internal StreamlinedOutputs(IReadOnlyList<string> names, IReadOnlyList<OrtValue> values, IReadOnlyList<IDisposable> owned)
    {
        Names = names;
        _values = values;
        _owned = owned;
    }

    /// <summary>Output names, in the same order as the values.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <inheritdoc />
    public int Count => _values.Count;

    /// <summary>The value at a position (the model's output order).</summary>
    public OrtValue this[int index] => _values[index];

    /// <summary>The value of the named output.</summary>
    public OrtValue this[string name]
    {
        get
        {
            var i = Names.ToList().IndexOf(name);
            return i >= 0 ? _values[i] : throw new KeyNotFoundException($"The model has no output '{name}'; outputs are [{string.Join(", ", Names)}].");
        }
    }

    /// <inheritdoc />
    public IEnumerator<OrtValue> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Releases the values and the memory behind them.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var v in _values)
        {
            v.Dispose();
        }
        foreach (var o in _owned)
        {
            o.Dispose();
        }
    }
}
