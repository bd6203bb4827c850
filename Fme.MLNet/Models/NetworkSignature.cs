using Fme.MLNet.Onnx;
using Fme.MLNet.Onnx.Proto;

namespace Fme.MLNet.Models;

/// <summary>What one role accepts: the name variants, float or integer elements, the ranks, and the layout for messages.</summary>
internal sealed record TensorSpec(string Role, string[] Names, bool Integer, int[] Ranks, string Layout, bool Required = true);

/// <summary>
/// The inputs and outputs each network kind must have, with the name variants real exports use, and the matching of a
/// graph against them. Everything here reads the graph's declarations only; nothing runs.
/// </summary>
internal sealed record NetworkSignature(SvdNetworkKind Kind, TensorSpec[] Inputs, TensorSpec[] Outputs)
{
    private static readonly NetworkSignature[] Table =
    [
        new(SvdNetworkKind.ImageEncoder,
            [new(SvdTensorRoles.PixelValues, ["pixel_values", "images", "image"], false, [4], "[batch, 3, 224, 224]")],
            [new(SvdTensorRoles.ImageEmbeds, ["image_embeds", "image_embeddings", "embeds"], false, [2], "[batch, D]")]),
        new(SvdNetworkKind.VaeEncoder,
            [new(SvdTensorRoles.Sample, ["sample", "pixel_values", "image", "images"], false, [4], "[batch, 3, height, width]")],
            [new(SvdTensorRoles.LatentSample, ["latent_sample", "latent_parameters", "latent_dist", "latent", "latents", "moments"], false,
                [4], "[batch, 8 (moments) or 4 (mode), height / 8, width / 8]")]),
        new(SvdNetworkKind.Unet,
            [
                new(SvdTensorRoles.Sample, ["sample"], false, [5], "[batch, frames, 8, height / 8, width / 8]"),
                new(SvdTensorRoles.Timestep, ["timestep", "timesteps", "t"], false, [0, 1], "[1] or a scalar"),
                new(SvdTensorRoles.EncoderHiddenStates, ["encoder_hidden_states"], false, [3], "[batch, 1, D]"),
                new(SvdTensorRoles.AddedTimeIds, ["added_time_ids", "added_time_id"], false, [2], "[batch, 3]"),
            ],
            [new(SvdTensorRoles.OutSample, ["out_sample", "latent", "noise_pred", "sample_out"], false, [5],
                "[batch, frames, 4, height / 8, width / 8]")]),
        new(SvdNetworkKind.VaeDecoder,
            [
                new(SvdTensorRoles.LatentSample, ["latent_sample", "latent", "latents", "z"], false, [4], "[batch * frames, 4, height / 8, width / 8]"),
                new(SvdTensorRoles.NumFrames, ["num_frames"], true, [0, 1], "int64 [1] or a scalar", Required: false),
            ],
            [new(SvdTensorRoles.Sample, ["sample", "image", "images", "frames"], false, [4], "[batch * frames, 3, height, width]")]),
    ];

    /// <summary>The signature of a network kind.</summary>
    public static NetworkSignature For(SvdNetworkKind kind) => Table.Single(s => s.Kind == kind);

    /// <summary>Matches the graph's inputs and outputs to the roles.</summary>
    /// <exception cref="ModelFolderException">A role has no tensor, an input has no role, or a type or rank does not fit.</exception>
    public SvdNetwork Match(OnnxModel model, string path)
    {
        var graph = model.Graph;
        var inputs = MatchAll(Inputs, graph.Inputs, "input", path, allowSingleFallback: false);
        var unexpected = graph.Inputs.Where(i => inputs.All(t => t.Name != i.Name)).ToList();
        if (unexpected.Count > 0)
        {
            var accepted = string.Join("; ", Inputs.Select(s => $"{s.Role} (named {string.Join(" / ", s.Names)})"));
            throw new ModelFolderException(path,
                $"unexpected input {string.Join(", ", unexpected.Select(v => Describe(v)))}; the {Kind.FolderName()} network takes {accepted}.");
        }
        var outputs = MatchAll(Outputs, graph.Outputs, "output", path, allowSingleFallback: true);
        return new SvdNetwork(Kind, path, model.OpsetVersion, inputs, outputs);
    }

    private List<NetworkTensor> MatchAll(TensorSpec[] specs, IReadOnlyList<ValueInfoProto> values, string what, string path,
        bool allowSingleFallback)
    {
        var matched = new List<NetworkTensor>();
        foreach (var spec in specs)
        {
            var value = spec.Names.Select(n => values.FirstOrDefault(v => v.Name == n)).FirstOrDefault(v => v is not null)
                        ?? spec.Names.Select(n => values.FirstOrDefault(v => string.Equals(v.Name, n, StringComparison.OrdinalIgnoreCase)))
                            .FirstOrDefault(v => v is not null);
            if (value is null && allowSingleFallback && specs.Length == 1 && values.Count == 1)
            {
                value = values[0]; // A network with one output: its name does not matter.
            }
            if (value is null)
            {
                if (spec.Required)
                {
                    var found = values.Count == 0 ? "none" : string.Join(", ", values.Select(v => Describe(v)));
                    throw new ModelFolderException(path,
                        $"no {what} for {spec.Role}; expected one named {string.Join(" or ", spec.Names)} shaped {spec.Layout}; found {what}s {found}.");
                }
                continue;
            }
            matched.Add(Check(spec, value, what, path));
        }
        return matched;
    }

    private static NetworkTensor Check(TensorSpec spec, ValueInfoProto value, string what, string path)
    {
        var tensorType = value.Type?.TensorType;
        if (tensorType is null)
        {
            throw new ModelFolderException(path, $"{what} '{value.Name}' ({spec.Role}) is not a tensor; expected a tensor shaped {spec.Layout}.");
        }
        var type = (OnnxElementType)tensorType.ElemType;
        var allowed = spec.Integer ? new[] { OnnxElementType.Int64, OnnxElementType.Int32 } : [OnnxElementType.Float, OnnxElementType.Float16];
        if (!allowed.Contains(type))
        {
            throw new ModelFolderException(path,
                $"{what} '{value.Name}' ({spec.Role}) has element type {OnnxElementTypes.Name(type)}; expected {string.Join(" or ", allowed.Select(OnnxElementTypes.Name))}.");
        }
        if (tensorType.Shape is null)
        {
            throw new ModelFolderException(path, $"{what} '{value.Name}' ({spec.Role}) declares no shape; expected rank {string.Join(" or ", spec.Ranks)} {spec.Layout}.");
        }
        var dims = tensorType.Shape.Dim
            .Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0
                ? new TensorDim(d.DimValue, null)
                : new TensorDim(null, string.IsNullOrEmpty(d.DimParam) ? null : d.DimParam))
            .ToList();
        var tensor = new NetworkTensor(spec.Role, value.Name, type, dims);
        if (!spec.Ranks.Contains(tensor.Rank))
        {
            throw new ModelFolderException(path,
                $"{what} '{value.Name}' ({spec.Role}) has rank {tensor.Rank} {tensor.ShapeText}; expected rank {string.Join(" or ", spec.Ranks)} {spec.Layout}.");
        }
        return tensor;
    }

    private static string Describe(ValueInfoProto v)
    {
        var t = v.Type?.TensorType;
        if (t is null)
        {
            return $"'{v.Name}'";
        }
        var shape = t.Shape is null ? "" : " [" + string.Join(", ", t.Shape.Dim.Select(d => d.DimParam is { Length: > 0 } p ? p : d.DimValue.ToString())) + "]";
        return $"'{v.Name}' {OnnxElementTypes.Name((OnnxElementType)t.ElemType)}{shape}";
    }
}
