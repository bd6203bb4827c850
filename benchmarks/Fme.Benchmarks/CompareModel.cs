using System.Globalization;
using Fme.MLNet.Models;
using Fme.MLNet.Streamlining;

namespace Fme.Benchmarks;

/// <summary>
/// One model of the comparison: the tiny UNet or temporal decoder (built-in, SVD-shaped inputs), or any .onnx file with
/// random inputs from its metadata. Written as <c>tiny-unet</c>, <c>tiny-decoder</c> or <c>PATH[@dim=N,dim=N]</c>: the
/// sizes after @ give the file's dynamic dimensions by name, on top of <c>--dims</c>.
/// </summary>
internal sealed record CompareModel(string Spec, string Label, string Path, IReadOnlyDictionary<string, long> Dims, StreamlineOptions Streamline)
{
    public bool IsTinyUnet => Spec == "tiny-unet";

    public bool IsTinyDecoder => Spec == "tiny-decoder";

    public static CompareModel Parse(string spec, CompareArguments a)
    {
        var latent = a.Size / 8;
        if (spec == "tiny-unet")
        {
            return new(spec, $"tiny UNet, batch 2, {a.Frames} frames, {latent}x{latent} latents", TinySvd.EnsureCached().Unet.OnnxPath,
                new Dictionary<string, long>(), StreamlineOptions.Default);
        }
        if (spec == "tiny-decoder")
        {
            var options = StreamlineOptions.Default with
            {
                InputAxes = new Dictionary<string, AxisLabel[]> { ["latent_sample"] = [AxisLabel.Frames, AxisLabel.Channels, AxisLabel.Height, AxisLabel.Width] },
            };
            return new(spec, $"tiny temporal decoder, {a.Frames} frames, {latent}x{latent} latents to {a.Size}x{a.Size}",
                TinySvd.EnsureCached().VaeDecoder.OnnxPath, new Dictionary<string, long>(), options);
        }
        var at = spec.LastIndexOf('@');
        var path = at < 0 ? spec : spec[..at];
        if (!File.Exists(path))
        {
            throw new ArgumentException($"Model '{spec}': no file '{path}' (expected tiny-unet, tiny-decoder or PATH.onnx[@dim=N,...]).");
        }
        var dims = new Dictionary<string, long>(a.Dims, StringComparer.Ordinal);
        if (at >= 0)
        {
            foreach (var (k, v) in ParseAssignments(spec[(at + 1)..], $"model '{spec}'"))
            {
                dims[k] = v;
            }
        }
        var sizes = dims.Count == 0 ? "" : " [" + string.Join(", ", dims.Select(kv => $"{kv.Key}={kv.Value}")) + "]";
        return new(spec, System.IO.Path.GetFileNameWithoutExtension(path) + sizes, System.IO.Path.GetFullPath(path), dims, StreamlineOptions.Default);
    }

    /// <summary>"a=1,b=2" as name/value pairs; the error names where the text came from.</summary>
    public static IEnumerable<KeyValuePair<string, long>> ParseAssignments(string text, string where)
    {
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0 || !long.TryParse(part[(eq + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                throw new ArgumentException($"In {where}: expected name=integer, found '{part}'.");
            }
            yield return new(part[..eq], value);
        }
    }
}
