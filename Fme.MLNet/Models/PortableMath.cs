namespace Fme.MLNet.Models;

/// <summary>
/// Logarithm, cosine and exponential from IEEE basic arithmetic (+, -, *, /) alone. Math.Log, Math.Cos and Math.Exp
/// call the platform's C runtime, whose last bits differ between platforms; these fixed series give the same bits
/// everywhere, so generated weights and sinusoid tables are byte-identical on every machine.
/// </summary>
internal static class PortableMath
{
    private const double Ln2 = 0.6931471805599453;
    private const double Sqrt2 = 1.4142135623730951;
    private const double Pi = 3.141592653589793;

    // Series coefficients, computed once with IEEE division (exactly reproducible): 1/k for odd k; 1/((2k-1)2k), 1/(2k(2k+1)).
    private static readonly double[] InverseOdd = Enumerable.Range(0, 20).Select(j => 1.0 / (2 * j + 1)).ToArray();
    private static readonly double[] CosRatio = Enumerable.Range(1, 20).Select(k => 1.0 / ((2.0 * k - 1) * (2.0 * k))).ToArray();
    private static readonly double[] SinRatio = Enumerable.Range(1, 20).Select(k => 1.0 / ((2.0 * k) * (2.0 * k + 1))).ToArray();

    /// <summary>Natural logarithm of a positive, normal, finite <paramref name="x"/>.</summary>
    public static double Log(double x)
    {
        var bits = BitConverter.DoubleToInt64Bits(x);
        var biased = (int)((bits >> 52) & 0x7FF);
        if (x <= 0 || biased == 0 || biased == 0x7FF)
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "Expected a positive, normal, finite number.");
        }
        // x = m * 2^e with m in [1, 2), then m folded into [1/sqrt 2, sqrt 2] so the series below converges fast.
        var e = biased - 1023;
        var m = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        if (m > Sqrt2)
        {
            m *= 0.5;
            e++;
        }
        // ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.172: 20 odd terms reach double precision.
        var s = (m - 1) / (m + 1);
        var s2 = s * s;
        var power = s;
        var sum = 0.0;
        foreach (var inverse in InverseOdd)
        {
            sum += power * inverse;
            power *= s2;
        }
        return 2 * sum + e * Ln2;
    }

    /// <summary>(cos(2 pi u), sin(2 pi u)) for u in [0, 1).</summary>
    public static (double Cos, double Sin) CosSinTurns(double u)
    {
        // With x = 2 pi (u - 1/2) in [-pi, pi): cos(2 pi u) = -cos(x), sin(2 pi u) = -sin(x); Taylor series to x^41.
        var x = 2 * Pi * (u - 0.5);
        var x2 = x * x;
        var (cosTerm, sinTerm) = (1.0, x);
        var (cos, sin) = (1.0, x);
        for (var k = 0; k < 20; k++)
        {
            cosTerm *= -x2 * CosRatio[k];
            sinTerm *= -x2 * SinRatio[k];
            cos += cosTerm;
            sin += sinTerm;
        }
        return (-cos, -sin);
    }

    /// <summary>e^x for |x| below 700.</summary>
    public static double Exp(double x)
    {
        if (!(Math.Abs(x) < 700))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "Expected |x| < 700.");
        }
        // e^x = 2^k e^r with |r| <= ln2 / 2; Taylor series of e^r to r^25, then 2^k through the exponent bits.
        var k = Math.Round(x / Ln2, MidpointRounding.ToEven);
        var r = x - k * Ln2;
        var term = 1.0;
        var sum = 1.0;
        for (var n = 1; n <= 25; n++)
        {
            term *= r / n;
            sum += term;
        }
        return sum * BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);
    }
}
