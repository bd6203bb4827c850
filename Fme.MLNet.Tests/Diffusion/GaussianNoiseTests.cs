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
}
