using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Support;
using Xunit.Abstractions;

namespace Fme.MLNet.Tests.Streamlining;

public class SmallModelTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void SmallCnn_MatchesPlainRuntime(int chunks)
    {
        var rng = new TestRandom();
        var (model, _, _) = TestModels.SmallCnn(rng);
        var inputs = new Dictionary<string, (float[], long[])> { ["x"] = (rng.Normal(6 * 32 * 8 * 8), [6, 32, 8, 8]) };
        var options = new StreamlineOptions { FrameChunks = chunks, PixelChunks = chunks, MinimumCutBytes = 0, CutEverywhere = true };
        var plan = Oracle.AssertSame(model, options, inputs, rng);
        output.WriteLine(plan.ToString());
        if (chunks > 1)
        {
            Assert.Contains(plan.Groups, g => g.Pieces > 1);
        }
    }
}
