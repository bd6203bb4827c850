using Fme.MLNet.Diffusion;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Fme.Benchmarks;

/// <summary>An input as a session's metadata describes it: element type, dimensions (-1 when dynamic) and their names.</summary>
internal sealed record InputInfo(string Name, TensorElementType Type, long[] Dims, string[] Symbolic);

/// <summary>
/// Inputs for any model from its metadata: float inputs from seeded Gaussian noise, integer and boolean inputs set to a
/// value (<c>--value name=N</c>, else 1, which is a valid index, mask or count for the models tried). Dynamic dimensions
/// take their size by name from the model's dimension sizes, else <c>--dim-default</c>.
/// </summary>
internal static class RandomInputs
{
    public static Dictionary<string, OrtValue> Create(IEnumerable<InputInfo> inputs, IReadOnlyDictionary<string, long> dims, long dimDefault,
        IReadOnlyDictionary<string, long> values, ulong seed)
    {
        var noise = new GaussianNoise(seed);
        var result = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            var shape = input.Dims.Select((d, i) => d >= 0 ? d
                : input.Symbolic.Length > i && dims.TryGetValue(input.Symbolic[i], out var n) ? n
                : dimDefault).ToArray();
            var count = checked((int)shape.Aggregate(1L, (a, d) => a * d));
            var value = values.TryGetValue(input.Name, out var v) ? v : 1;
            result[input.Name] = input.Type switch
            {
                TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(Noise(noise, count), shape),
                TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(Noise(noise, count), f => (Float16)f), shape),
                TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(Noise(noise, count), f => (double)f), shape),
                TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(value, count).ToArray(), shape),
                TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((int)value, count).ToArray(), shape),
                TensorElementType.UInt8 => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((byte)value, count).ToArray(), shape),
                TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(value != 0, count).ToArray(), shape),
                _ => throw new NotSupportedException($"Input '{input.Name}': no random values for element type {input.Type} (float, float16, double, int64, int32, uint8 and bool are made)."),
            };
        }
        return result;
    }

    private static float[] Noise(GaussianNoise noise, int count)
    {
        var data = new float[count];
        noise.Fill(data);
        return data;
    }
}
