using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Fme.MLNet.Rehash;

/// <summary>How much the deep tensor moved between two steps: the measure the key-step search ranks steps by.</summary>
internal static class DeepChange
{
    /// <summary>||current - previous|| / ||previous|| (L2 norms over all elements) of two float or float16 tensors.</summary>
    public static double RelativeL2(OrtValue current, OrtValue previous)
    {
        var type = current.GetTensorTypeAndShape().ElementDataType;
        return type switch
        {
            TensorElementType.Float => RelativeL2(current.GetTensorDataAsSpan<float>(), previous.GetTensorDataAsSpan<float>(), x => x),
            // Element by element: a deep tensor can be hundreds of megabytes, too much to copy as float32 for a norm.
            TensorElementType.Float16 => RelativeL2(current.GetTensorDataAsSpan<Float16>(), previous.GetTensorDataAsSpan<Float16>(), h => h.ToFloat()),
            _ => throw new InvalidOperationException($"Expected a float or float16 deep tensor, found {type}."),
        };
    }

    public static double RelativeL2<T>(ReadOnlySpan<T> current, ReadOnlySpan<T> previous, Func<T, float> toFloat)
    {
        if (current.Length != previous.Length)
        {
            throw new ArgumentException($"The deep tensors have {current.Length} and {previous.Length} elements; expected the same shape.", nameof(previous));
        }
        double difference = 0, reference = 0;
        for (var i = 0; i < current.Length; i++)
        {
            double c = toFloat(current[i]), p = toFloat(previous[i]);
            difference += (c - p) * (c - p);
            reference += p * p;
        }
        return Math.Sqrt(difference) / Math.Max(Math.Sqrt(reference), 1e-30);
    }
}
