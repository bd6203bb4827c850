using Fme.MLNet.Models;
using Fme.MLNet.Onnx;
using Fme.MLNet.Onnx.Proto;

namespace Fme.MLNet.Tests.Models;

/// <summary>The loader accepts the tiny folder and its variants, and rejects each broken variant with a message that says why.</summary>
[Collection(TinyModelCollection.Name)]
public class ModelFolderTests(TinyModelFixture tiny)
{
    private ModelFolderException Rejects(ModelFolderCopy copy, params string[] fragments)
    {
        var e = Assert.Throws<ModelFolderException>(() => SvdModelFolder.Open(copy.Path));
        Assert.All(fragments, f => Assert.Contains(f, e.Message));
        return e;
    }

    [Fact]
    public void TinyFolder_IsDescribedFully()
    {
        var f = tiny.Folder;
        Assert.Equal(new Dictionary<string, string>
        {
            ["sample"] = "sample", ["timestep"] = "timestep", ["encoder_hidden_states"] = "encoder_hidden_states",
            ["added_time_ids"] = "added_time_ids", ["out_sample"] = "out_sample",
        }, f.Unet.TensorNames);
        Assert.Equal("[batch, num_frames, 8, height, width]", f.Unet.Input("sample").ShapeText);
        Assert.Equal(OnnxElementType.Int64, f.VaeDecoder.Input("num_frames").ElementType);
        Assert.Equal((14, 8, 4, 64), (f.UnetConfig.NumFrames, f.UnetConfig.InChannels, f.UnetConfig.OutChannels, f.UnetConfig.CrossAttentionDim!.Value));
        Assert.Equal(0.18215, f.VaeConfig.ScalingFactor);
        Assert.Equal(VaeEncoderOutput.Moments, f.EncoderOutput);
        Assert.Equal([0.48145466f, 0.4578275f, 0.40821073f], f.ClipConfig.ImageMean);
        Assert.Equal(224, f.ClipConfig.CropSize);
        Assert.EndsWith(Path.Combine("unet", "model.onnx"), f.Unet.OnnxPath);
        var text = f.Describe();
        foreach (var fragment in new[] { "'out_sample' float [batch, num_frames, 4, height, width]", "'num_frames' int64 [1]",
                     "8 moment channels", "scaling_factor 0.18215", "crop_size 224", "scheduler_config.json" })
        {
            Assert.Contains(fragment, text);
        }
    }

    [Fact]
    public void MissingFolder_IsNamed()
    {
        var path = Path.Combine(Path.GetTempPath(), "fme-tests", Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<ModelFolderException>(() => SvdModelFolder.Open(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("model folder not found", e.Message);
    }

    [Fact]
    public void MissingNetworkFolder_OrGraph_OrAmbiguousGraphs_AreReported()
    {
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            Directory.Delete(copy.File("vae_encoder"), recursive: true);
            Rejects(copy, copy.File("vae_encoder"), "missing network folder", "'vae_encoder/'");
        }
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            File.Delete(copy.File("unet", "model.onnx"));
            Rejects(copy, copy.File("unet"), "no .onnx file");
        }
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            File.Move(copy.File("unet", "model.onnx"), copy.File("unet", "a.onnx"));
            File.Copy(copy.File("unet", "a.onnx"), copy.File("unet", "b.onnx"));
            Rejects(copy, "2 .onnx files (a.onnx, b.onnx) and none named model.onnx");
        }
    }

    [Fact]
    public void GraphWithAnyName_IsAccepted()
    {
        using var copy = new ModelFolderCopy(tiny.Path);
        File.Move(copy.File("unet", "model.onnx"), copy.File("unet", "svd_unet.onnx"));
        Assert.EndsWith("svd_unet.onnx", SvdModelFolder.Open(copy.Path).Unet.OnnxPath);
    }

    [Fact]
    public void UnreadableGraph_OrMissingWeights_AreReported()
    {
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            File.WriteAllText(copy.File("image_encoder", "model.onnx"), "not a model");
            var e = Rejects(copy, copy.File("image_encoder", "model.onnx"), "cannot be read as an ONNX model");
            Assert.IsType<OnnxFormatException>(e.InnerException);
        }
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            File.Delete(copy.File("vae_decoder", "model.onnx.data"));
            Rejects(copy, copy.File("vae_decoder", "model.onnx"), "cannot be read as an ONNX model", "model.onnx.data");
        }
    }

    [Fact]
    public void UnexpectedInput_IsReportedWithTheAcceptedNames()
    {
        using var copy = new ModelFolderCopy(tiny.Path);
        copy.EditGraph(SvdNetworkKind.Unet, m => m.Graph.Input.Add(m.Graph.Input.Single(i => i.Name == "timestep").Clone() is var v ? WithName(v, "guidance_scale") : null));
        Rejects(copy, copy.File("unet", "model.onnx"), "unexpected input 'guidance_scale' float [1]", "added_time_ids (named added_time_ids / added_time_id)");
    }

    private static ValueInfoProto WithName(ValueInfoProto v, string name)
    {
        v.Name = name;
        return v;
    }

    [Fact]
    public void MissingInput_IsReportedWithWhatWasFound()
    {
        using var copy = new ModelFolderCopy(tiny.Path);
        copy.EditGraph(SvdNetworkKind.Unet, m => ModelFolderCopy.Rename(m, "added_time_ids", "conditioning"));
        Rejects(copy, "no input for added_time_ids; expected one named added_time_ids or added_time_id shaped [batch, 3]",
            "'conditioning' float [batch, 3]");
    }

    [Fact]
    public void WrongElementType_OrRank_OrMissingOutput_AreReported()
    {
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            copy.EditGraph(SvdNetworkKind.Unet, m => m.Graph.Input.Single(i => i.Name == "sample").Type.TensorType.ElemType = (int)OnnxElementType.Int32);
            Rejects(copy, "input 'sample' (sample) has element type int32; expected float or float16");
        }
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            copy.EditGraph(SvdNetworkKind.VaeDecoder, m => ModelFolderCopy.SetDims(m, "latent_sample", "batch_frames", 4, "height"));
            Rejects(copy, copy.File("vae_decoder", "model.onnx"), "input 'latent_sample' (latent_sample) has rank 3 [batch_frames, 4, height]; expected rank 4");
        }
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            // Two outputs, neither named as an image embedding.
            copy.EditGraph(SvdNetworkKind.ImageEncoder, m =>
            {
                ModelFolderCopy.Rename(m, "image_embeds", "pooled");
                m.Graph.Output.Add(m.Graph.ValueInfo.Last().Clone());
            });
            Rejects(copy, "no output for image_embeds; expected one named image_embeds or image_embeddings or embeds", "'pooled' float [batch, 64]");
        }
    }

    [Fact]
    public void NameVariants_AreAccepted()
    {
        using var copy = new ModelFolderCopy(tiny.Path);
        copy.EditGraph(SvdNetworkKind.Unet, m => ModelFolderCopy.Rename(m, "out_sample", "noise_pred"));
        copy.EditGraph(SvdNetworkKind.VaeDecoder, m => ModelFolderCopy.Rename(m, "latent_sample", "latents"));
        copy.EditGraph(SvdNetworkKind.VaeEncoder, m => ModelFolderCopy.Rename(m, "latent_sample", "latent_parameters"));
        var folder = SvdModelFolder.Open(copy.Path);
        Assert.Equal("noise_pred", folder.Unet.TensorNames[SvdTensorRoles.OutSample]);
        Assert.Equal("latents", folder.VaeDecoder.Input(SvdTensorRoles.LatentSample).Name);
        Assert.Equal("latent_parameters", folder.VaeEncoder.TensorNames[SvdTensorRoles.LatentSample]);
    }

    [Theory]
    [InlineData("unet/config.json", null, "missing config file; expected the UNet's diffusers config")]
    [InlineData("unet/config.json", "{ \"num_frames\": ", "not valid JSON")]
    [InlineData("unet/config.json", "[14, 8]", "expected a JSON object")]
    [InlineData("vae_decoder/config.json", "{ \"latent_channels\": 4 }", "field 'scaling_factor' is missing; expected a positive number")]
    [InlineData("feature_extractor/preprocessor_config.json", "{ \"image_mean\": [0.5, 0.5, 0.5] }", "field 'image_std' is missing")]
    [InlineData("feature_extractor/preprocessor_config.json", "{ \"image_mean\": [0.5, 0.5], \"image_std\": [1, 1, 1] }", "field 'image_mean' is [0.5,0.5]; expected an array of 3 numbers")]
    [InlineData("scheduler/scheduler_config.json", null, "missing config file; expected EulerDiscreteScheduler's diffusers config")]
    [InlineData("scheduler/scheduler_config.json", "{ \"_class_name\": \"DDIMScheduler\" }", "_class_name is 'DDIMScheduler'; expected EulerDiscreteScheduler")]
    public void BrokenConfig_IsReported(string relative, string? content, string message)
    {
        using var copy = new ModelFolderCopy(tiny.Path);
        var path = copy.File(relative.Split('/'));
        if (content is null)
        {
            File.Delete(path);
        }
        else
        {
            File.WriteAllText(path, content);
        }
        var e = Rejects(copy, message);
        Assert.StartsWith(path, e.Message);
    }

    [Theory]
    [InlineData("\"num_frames\": 14", "\"num_frames\": \"fourteen\"", "field 'num_frames' is \"fourteen\"; expected an integer from 1 to 256 (SvdUnetConfig.MaxNumFrames)")]
    [InlineData("\"num_frames\": 14", "\"frames\": 14", "field 'num_frames' is missing; expected an integer from 1 to 256")]
    [InlineData("\"num_frames\": 14", "\"num_frames\": 100000", "field 'num_frames' is 100000; expected an integer from 1 to 256")]
    [InlineData("\"num_frames\": 14", "\"num_frames\": 0", "field 'num_frames' is 0; expected an integer from 1 to 256")]
    [InlineData("\"num_frames\": 14", "\"num_frames\": -3", "field 'num_frames' is -3; expected an integer from 1 to 256")]
    [InlineData("\"in_channels\": 8", "\"in_channels\": 4", "in_channels 4 and out_channels 4 do not fit latent_channels 4 of the VAE config; expected in_channels 8")]
    public void UnetConfigField_IsChecked(string from, string to, string message)
    {
        using var copy = new ModelFolderCopy(tiny.Path);
        copy.EditText("unet/config.json", from, to);
        Rejects(copy, copy.File("unet", "config.json"), message);
    }

    [Fact]
    public void ConfigThatDisagreesWithTheGraph_IsReported()
    {
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            // Consistent configs (3 latent channels), but the UNet's sample has 8 channels.
            copy.EditText("unet/config.json", "\"in_channels\": 8", "\"in_channels\": 6");
            copy.EditText("unet/config.json", "\"out_channels\": 4", "\"out_channels\": 3");
            copy.EditText("vae_decoder/config.json", "\"latent_channels\": 4", "\"latent_channels\": 3");
            Rejects(copy, copy.File("unet", "model.onnx"), "input 'sample' [batch, num_frames, 8, height, width] has 8 on axis 2; expected 6",
                $"in_channels 6 in {copy.File("unet", "config.json")}");
        }
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            copy.EditText("unet/config.json", "\"cross_attention_dim\": 64", "\"cross_attention_dim\": 1024");
            Rejects(copy, copy.File("unet", "model.onnx"), "input 'encoder_hidden_states' [batch, 1, 64] has 64 on axis 2; expected 1024", "cross_attention_dim 1024");
        }
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            copy.EditGraph(SvdNetworkKind.ImageEncoder, m => ModelFolderCopy.SetDims(m, "image_embeds", "batch", 32));
            Rejects(copy, copy.File("image_encoder", "model.onnx"), "output 'image_embeds' [batch, 32] has 32 on axis 1; expected 64", "cross_attention_dim 64");
        }
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            copy.EditGraph(SvdNetworkKind.Unet, m => ModelFolderCopy.SetDims(m, "sample", 2, 25, 8, 8, 8));
            Rejects(copy, "input 'sample' [2, 25, 8, 8, 8] has 25 on axis 1; expected 14 to agree with num_frames 14");
        }
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            copy.EditText("feature_extractor/preprocessor_config.json", "\"height\": 224", "\"height\": 256");
            copy.EditText("feature_extractor/preprocessor_config.json", "\"width\": 224", "\"width\": 256");
            Rejects(copy, copy.File("image_encoder", "model.onnx"), "has 224 on axis 2; expected 256 to agree with crop_size 256");
        }
        using (var copy = new ModelFolderCopy(tiny.Path))
        {
            copy.EditGraph(SvdNetworkKind.VaeEncoder, m => ModelFolderCopy.SetDims(m, "latent_sample", "batch", 5, "height", "width"));
            Rejects(copy, copy.File("vae_encoder", "model.onnx"), "output 'latent_sample' has 5 channels", "expected 8 (moments) or 4 (the mode)");
        }
    }

    [Fact]
    public void VaeEncoderGivingTheMode_IsRecognised()
    {
        using var copy = new ModelFolderCopy(tiny.Path);
        copy.EditGraph(SvdNetworkKind.VaeEncoder, m => ModelFolderCopy.SetDims(m, "latent_sample", "batch", 4, "height", "width"));
        Assert.Equal(VaeEncoderOutput.Mode, SvdModelFolder.Open(copy.Path).EncoderOutput);
    }
}
