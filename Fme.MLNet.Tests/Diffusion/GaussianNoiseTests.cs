using Fme.MLNet.Diffusion;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Diffusion;

public class GaussianNoiseTests
{
    private static ulong RandomSeed(TestRandom rng) => ((ulong)(uint)rng.Next(0, int.MaxValue) << 32) | (uint)rng.Next(0, int.MaxValue);

    [Fact]
    public void SameSeedSameValuesDifferentSeedDifferentValues()
    {
        var rng = new TestRandom();
        var seed = RandomSeed(rng);
        float[] a = new float[1001], b = new float[1001], c = new float[1001];
        new GaussianNoise(seed).Fill(a);
        new GaussianNoise(seed).Fill(b);
        new GaussianNoise(seed + 1).Fill(c);
        Assert.Equal(a, b);
        Assert.True(a.Zip(c).Count(p => p.First == p.Second) < 5, $"seeds {seed} and {seed + 1} give near-identical streams");
    }

    [Fact]
    public void SplitFillsGiveTheSameStreamAsOneFill()
    {
        var rng = new TestRandom();
        var seed = RandomSeed(rng);
        var whole = new float[200_003]; // large enough for the parallel path
        new GaussianNoise(seed).Fill(whole);

        var noise = new GaussianNoise(seed);
        var pieces = new float[whole.Length];
        var at = 0;
        foreach (var size in new[] { 1, 2, 7, 100_000, 3 })
        {
            noise.Fill(pieces.AsSpan(at, size));
            at += size;
        }
        noise.Fill(pieces.AsSpan(at));
        Assert.Equal(whole.Length, noise.Position);
        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void ValuesAreStandardNormal()
    {
        var values = new float[1_000_000];
        new GaussianNoise(RandomSeed(new TestRandom())).Fill(values);
        double mean = values.Average(v => (double)v);
        double variance = values.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, -0.005, 0.005); // 5 standard errors
        Assert.InRange(variance, 0.99, 1.01);
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
        var beyond3 = values.Count(v => Math.Abs(v) > 3) / (double)values.Length;
        Assert.InRange(beyond3, 0.0027 - 0.0005, 0.0027 + 0.0005);
    }

    [Fact]
    public void ScaledFillMultipliesTheSameStream()
    {
        var seed = RandomSeed(new TestRandom());
        float[] plain = new float[99], scaled = new float[99];
        new GaussianNoise(seed).Fill(plain);
        new GaussianNoise(seed).Fill(scaled, 0.02f);
        Assert.Equal(plain.Select(v => v * 0.02f), scaled);
    }

    [Theory]
    // Computed from the algorithm in GaussianNoise's remarks by a separate implementation (Python, float64 math rounded
    // to float32), not by this class: it pins "the same seed gives the same frames on every machine".
    [InlineData(42UL, new[] { 0.41471976041793823f, 0.6526812314987183f, -0.8918862342834473f, 1.3268336057662964f, 1.72959303855896f, -1.883416771888733f }, -0.042693909257650375f)]
    [InlineData(ulong.MaxValue, new[] { 0.4038981795310974f, -0.24716992676258087f, -1.5578114986419678f, 0.7785844802856445f, 0.37761974334716797f, -0.7449161410331726f }, -0.43215611577033997f)]
    public void The_stream_matches_the_documented_algorithm(ulong seed, float[] first, float atOneMillionAndOne)
    {
        var values = new float[1_000_002]; // through the parallel path too
        new GaussianNoise(seed).Fill(values);
        Assert.Equal(first, values[..first.Length]);
        Assert.Equal(atOneMillionAndOne, values[1_000_001]);
    }
}
