using System.Globalization;

namespace Fme.Benchmarks;

/// <summary>Arguments of <c>compare</c> (driver and child).</summary>
internal sealed record CompareArguments(
    int Runs,
    int Size,
    int Frames,
    IReadOnlyList<string> Models,
    IReadOnlyList<string> Configs,
    IReadOnlyDictionary<string, long> Dims,
    long DimDefault,
    IReadOnlyDictionary<string, long> Values,
    ulong Seed,
    string? Out,
    string? ChildConfig)
{
    public static CompareArguments Parse(IReadOnlyList<string> args)
    {
        var a = new CompareArguments(3, 512, 14, [], CompareChild.Configs, new Dictionary<string, long>(), 1, new Dictionary<string, long>(), 1, null, null);
        var models = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            var arg = args[i];
            a = arg switch
            {
                "--runs" => a with { Runs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--size" => a with { Size = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--frames" => a with { Frames = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--configs" => a with { Configs = Next().Split(',', StringSplitOptions.RemoveEmptyEntries) },
                "--dims" => a with { Dims = CompareModel.ParseAssignments(Next(), "--dims").ToDictionary(kv => kv.Key, kv => kv.Value) },
                "--dim-default" => a with { DimDefault = long.Parse(Next(), CultureInfo.InvariantCulture) },
                "--value" => a with { Values = CompareModel.ParseAssignments(Next(), "--value").ToDictionary(kv => kv.Key, kv => kv.Value) },
                "--seed" => a with { Seed = ulong.Parse(Next(), CultureInfo.InvariantCulture) },
                "--out" => a with { Out = Next() },
                "--child" => a with { ChildConfig = Next() },
                _ when arg.StartsWith("--", StringComparison.Ordinal) => throw new ArgumentException($"Unknown argument '{arg}' for compare."),
                _ => a,
            };
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                models.Add(arg);
            }
        }
        if (models.Count == 0)
        {
            throw new ArgumentException("compare needs at least one model: tiny-unet, tiny-decoder or PATH.onnx[@dim=N,...].");
        }
        return a with { Models = models };
    }

    /// <summary>The arguments a child needs to rebuild the same model and inputs.</summary>
    public IEnumerable<string> ForChild(string model, string config)
    {
        yield return "compare";
        yield return model;
        yield return "--child";
        yield return config;
        yield return "--size";
        yield return Size.ToString(CultureInfo.InvariantCulture);
        yield return "--frames";
        yield return Frames.ToString(CultureInfo.InvariantCulture);
        yield return "--dim-default";
        yield return DimDefault.ToString(CultureInfo.InvariantCulture);
        yield return "--seed";
        yield return Seed.ToString(CultureInfo.InvariantCulture);
        if (Dims.Count > 0)
        {
            yield return "--dims";
            yield return string.Join(",", Dims.Select(kv => $"{kv.Key}={kv.Value}"));
        }
        if (Values.Count > 0)
        {
            yield return "--value";
            yield return string.Join(",", Values.Select(kv => $"{kv.Key}={kv.Value}"));
        }
    }

    /// <summary>Bytes the machine can still give (MemAvailable), or null off Linux.</summary>
    public static long? AvailableBytes()
    {
        if (!File.Exists("/proc/meminfo"))
        {
            return null;
        }
        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line["MemAvailable:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
