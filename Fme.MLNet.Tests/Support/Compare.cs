namespace Fme.MLNet.Tests.Support;

/// <summary>Comparisons of results with a reference at a stated tolerance.</summary>
public static class Compare
{
    /// <summary>The relative error used across the tests: ||a - b|| / ||b|| (Euclidean norms over all elements).</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, reference = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.False(float.IsNaN(actual[i]) || float.IsInfinity(actual[i]), $"non-finite value at {i}");
            diff += (double)(actual[i] - expected[i]) * (actual[i] - expected[i]);
            reference += (double)expected[i] * expected[i];
        }
        return Math.Sqrt(diff) / Math.Max(Math.Sqrt(reference), 1e-30);
    }

    /// <summary>max |a - b| / max |b|: the strictest view, reported beside the relative error.</summary>
    public static double MaxRelativeDifference(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        double maxDiff = 0, maxRef = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        return maxDiff / Math.Max(maxRef, 1e-30);
    }

    public static void Close(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double tolerance, string context)
    {
        var error = RelativeError(actual, expected);
        Assert.True(error <= tolerance,
            $"{context}: relative error {error:E3} > {tolerance:E1} (max difference {MaxRelativeDifference(actual, expected):E3} of the largest value)");
    }
}
