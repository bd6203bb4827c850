using Fme.MLNet.Onnx;

namespace Fme.MLNet.Models;

/// <summary>
/// The tiny CLIPVisionModelWithProjection. Input <c>pixel_values</c> [batch, 3, 224, 224]; output <c>image_embeds</c>
/// [batch, D]: patch-14 convolution, class token, position embedding, pre-LayerNorm, encoder layers (LayerNorm,
/// self-attention, GELU MLP as SVD's ViT-H/14 has), post-LayerNorm of the class token, projection without bias.
/// </summary>
internal static class TinyImageEncoder
{
    public static OnnxModel Build(TinySvdOptions options, SeededWeights weights, ExternalWeights? external = null)
    {
        var w = SvdGraphWriter.Create("image_encoder", SvdGraphWriter.ComputeType(options), weights, external);
        var b = w.B;
        var s = options.Sizes;
        var (hidden, heads, image, patch) = (s.ClipHidden, s.ClipHeads, s.ClipImage, s.ClipPatch);
        var positions = (image / patch) * (image / patch) + 1;

        var pixels = w.ToCompute(b.Input("pixel_values", OnnxElementType.Float, "batch", 3, image, image));
        GraphValue pooled;
        using (b.Scope("vision_model"))
        {
            GraphValue h;
            using (b.Scope("embeddings"))
            {
                // (B, 3, 224, 224) -> (B, C, 16, 16) -> (B, 256, C); class token first; + position embedding.
                var patches = w.Conv2d("patch_embedding", pixels, 3, hidden, patch, stride: patch, padding: 0, bias: false);
                var batch = w.Dim(patches, 0);
                patches = b.Transpose(w.Reshape(patches, batch, w.Dim(patches, 1), -1), 0, 2, 1);
                var classToken = b.Expand(w.Param("class_embedding", [hidden], 0.5), w.ShapeOf(batch, 1, 1));
                var positionIds = b.Initializer("vision_model.embeddings.position_ids", Enumerable.Range(0, (int)positions).Select(i => (long)i).ToArray(), 1, positions);
                GraphValue table;
                using (b.Scope("position_embedding"))
                {
                    table = w.Param("weight", [positions, hidden], 0.5);
                }
                h = b.Add(b.Concat(1, classToken, patches), b.Gather(table, positionIds));
            }
            h = w.LayerNorm("pre_layrnorm", h, hidden);
            using (b.Scope("encoder"))
            {
                for (var i = 0; i < s.ClipLayers; i++)
                {
                    using var _ = b.Scope($"layers.{i}");
                    var normed = w.LayerNorm("layer_norm1", h, hidden);
                    using (b.Scope("self_attn"))
                    {
                        h = b.Add(h, w.AttentionCore(normed, null, hidden, hidden, heads, true, AttentionNames.Clip));
                    }
                    normed = w.LayerNorm("layer_norm2", h, hidden);
                    using (b.Scope("mlp"))
                    {
                        var m = b.Gelu(w.Linear("fc1", normed, hidden, s.ClipIntermediate));
                        h = b.Add(h, w.Linear("fc2", m, s.ClipIntermediate, hidden));
                    }
                }
            }
            pooled = w.LayerNorm("post_layernorm", b.Gather(h, 0, axis: 1), hidden);
        }
        var embeds = w.Linear("visual_projection", pooled, hidden, s.CrossAttentionDim, bias: false);
        b.Output(w.ToBoundary(embeds, OnnxElementType.Float), "image_embeds", "batch", s.CrossAttentionDim);
        return b.Build();
    }
}
