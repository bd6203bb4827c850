using Fme.MLNet.Diagnostics;
using Fme.MLNet.Onnx;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Streamlining;
using Microsoft.ML.OnnxRuntime;

namespace Fme.Benchmarks;

/// <summary>
/// How close a plain ONNX Runtime GroupNorm (Reshape + InstanceNormalization, as exported) and the streamlined two-pass
/// one come to a double-precision reference, on x [1, 64, frames, size, size] (the decoder's last blocks run at full size) with values 3 +- 1 (activations
/// have a mean): with millions of values per group, float accumulation drifts, which sets how closely a streamlined
/// network can match the plain one at large sizes.
/// </summary>
internal static class NormAccuracy
{
    public static int Run(string config, int size, int frames, SessionOptionsFactory? factory)
    {
        const long channels = 64, groups = 32;
        long side = size, n = channels * frames * side * side, perGroup = n / groups;
        var b = new GraphBuilder("group_norm");
        var x = b.Input("x", OnnxElementType.Float, 1, channels, frames, side, side);
        var gamma = b.Initializer("gamma", Enumerable.Repeat(1f, (int)channels).ToArray(), channels, 1, 1, 1);
        var beta = b.Initializer("beta", new float[channels], channels, 1, 1, 1);
        b.Output(b.GroupNorm(x, groups, gamma, beta, 1e-6f), "y");
        var model = b.Build();

        var data = new float[n];
        var rng = new Random(7);
        for (long i = 0; i < n; i++)
        {
            data[i] = 3f + (float)(rng.NextDouble() * 2 - 1);
        }
        using var input = OrtValue.CreateTensorValueFromMemory(data, [1, channels, frames, side, side]);
        var inputs = new Dictionary<string, OrtValue> { ["x"] = input };
        using var plain = factory is null ? new InferenceSession(model.ToBytes()) : new InferenceSession(model.ToBytes(), factory.Create(streamlined: false));
        using var plainOut = plain.Run(new RunOptions(), ["x"], [input], ["y"]);
        // Cut along pixels, as the decoder's temporal layers are: the statistics then take the two-pass route.
        using var streamlined = StreamlinedSession.Create(model, StreamlineOptions.Default with { MinimumCutBytes = 0, CutEverywhere = true },
            factory?.Create(streamlined: true));
        using var streamlinedOut = streamlined.Run(inputs);

        var (plainError, streamlinedError) = (0.0, 0.0);
        var reference = 0.0;
        var p = plainOut[0].GetTensorDataAsSpan<float>();
        var s = streamlinedOut["y"].GetTensorDataAsSpan<float>();
        for (long g = 0; g < groups; g++)
        {
            var (start, end) = (g * perGroup, (g + 1) * perGroup);
            var sum = 0.0;
            for (var i = start; i < end; i++)
            {
                sum += data[i];
            }
            var mean = sum / perGroup;
            var squares = 0.0;
            for (var i = start; i < end; i++)
            {
                squares += (data[i] - mean) * (data[i] - mean);
            }
            var inv = 1 / Math.Sqrt(squares / perGroup + 1e-6);
            for (var i = start; i < end; i++)
            {
                var r = (data[i] - mean) * inv;
                plainError += (p[(int)i] - r) * (p[(int)i] - r);
                streamlinedError += (s[(int)i] - r) * (s[(int)i] - r);
                reference += r * r;
            }
        }
        var line = $"GroupNorm over {perGroup} values per group, relative L2 error vs double precision: plain {Math.Sqrt(plainError / reference):0.00e+0}, " +
                   $"streamlined {Math.Sqrt(streamlinedError / reference):0.00e+0} ({streamlined.Plan?.Groups.Sum(g => g.TwoPassNormalizations.Count)} two-pass normalisations)";
        Console.WriteLine(new Measurement(config, 0, 0, ProcessMemory.PeakResidentBytes, ProcessMemory.PeakResidentBytes, null, line).ToLine());
        return 0;
    }
}
