using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Fme.MLNet.Corpus;

/// <summary>One filled input of a corpus model, as float32 or int64 values with their shape.</summary>
public sealed record CorpusTensor(string Name, long[] Shape, float[]? Floats, long[]? Longs)
{
    private int[] IntShape => Shape.Select(d => checked((int)d)).ToArray();

    public NamedOnnxValue ToNamedOnnxValue() => Floats is not null
        ? NamedOnnxValue.CreateFromTensor(Name, new DenseTensor<float>(Floats, IntShape))
        : NamedOnnxValue.CreateFromTensor(Name, new DenseTensor<long>(Longs!, IntShape));

    /// <summary>An OrtValue over this tensor's own array (no copy): dispose it before the array goes.</summary>
    public OrtValue ToOrtValue() => Floats is not null
        ? OrtValue.CreateTensorValueFromMemory(Floats, Shape)
        : OrtValue.CreateTensorValueFromMemory(Longs!, Shape);
}

/// <summary>Fresh inputs for a corpus model, in the ranges and shapes its manifest entry gives.</summary>
public static class CorpusInputs
{
    public static IReadOnlyList<CorpusTensor> Create(CorpusModel model, Random random) =>
        model.Inputs.Select(input =>
        {
            var count = input.Shape.Aggregate(1L, (a, d) => a * d);
            return input.Kind switch
            {
                CorpusInputKind.Float => new CorpusTensor(input.Name, input.Shape,
                    Enumerable.Range(0, checked((int)count)).Select(_ => (float)(input.Low + random.NextDouble() * (input.High - input.Low))).ToArray(), null),
                _ => new CorpusTensor(input.Name, input.Shape, null, Enumerable.Repeat(input.Fixed, checked((int)count)).ToArray()),
            };
        }).ToList();
}
