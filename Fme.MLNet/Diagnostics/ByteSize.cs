using System.Globalization;
using System.Text.RegularExpressions;

namespace Fme.MLNet.Diagnostics;

/// <summary>Byte counts written for people: "8GB", "512 MiB", "1.5g", "1048576".</summary>
public static partial class ByteSize
{
    /// <summary>
    /// Parses a size. Units: B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB, case-insensitive; every unit is a power of 1024
    /// (as memory is counted).
    /// </summary>
    /// <exception cref="FormatException">The text is not a size.</exception>
    public static long Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
        {
            throw new FormatException($"'{text}' is not a size; expected a number with an optional unit, such as 8GB, 512MiB or 1.5g.");
        }
        var value = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        var power = match.Groups["u"].Value.ToUpperInvariant().FirstOrDefault() switch
        {
            'K' => 1,
            'M' => 2,
            'G' => 3,
            'T' => 4,
            _ => 0,
        };
        return checked((long)(value * Math.Pow(1024, power)));
    }

    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?)\s*(?<u>([KMGT](i?B)?)|B)?$", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
