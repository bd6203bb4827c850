using System.Reflection;
using Fme.MLNet.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Fme.MLNet.Tests.MLNet;

[Collection(VideoTransformCollection.Name)]
public class SchemaTests(VideoTransformFixture shared)
{
    private MLContext Context => shared.Context;

    private IEstimator<ITransformer> LoadImages() =>
        Context.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: nameof(ImagePathRow.ImagePath));

    /// <summary>The shape EstimatorChain.Fit makes of a schema (ML.NET keeps that factory internal).</summary>
    private static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.NonPublic, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;

    [Fact]
    public void MissingInputColumn_IsReported_ByFitAndByTheChain()
    {
        var direct = Assert.Throws<ArgumentOutOfRangeException>(() => Context.Transforms.GenerateVideoFme("Video", "Picture").Fit(shared.Data));
        Assert.StartsWith("Could not find input column 'Picture'", direct.Message);
        var chained = Assert.Throws<ArgumentOutOfRangeException>(() =>
            LoadImages().Append(Context.Transforms.GenerateVideoFme("Video", "Picture")).Fit(shared.Data));
        Assert.StartsWith("Could not find input column 'Picture'", chained.Message);
    }

    [Fact]
    public void InputOfTheWrongType_IsReported_WithExpectedAndFound()
    {
        var direct = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Context.Transforms.GenerateVideoFme("Video", nameof(ImagePathRow.ImagePath)).Fit(shared.Data));
        Assert.StartsWith("Schema mismatch for input column 'ImagePath': expected Image, got String", direct.Message);
        var chained = Assert.Throws<ArgumentOutOfRangeException>(() =>
            LoadImages().Append(Context.Transforms.GenerateVideoFme("Video", nameof(ImagePathRow.ImagePath))).Fit(shared.Data));
        Assert.StartsWith("Schema mismatch for input column 'ImagePath': expected Image, got String", chained.Message);
    }

    [Fact]
    public void OutputNameOfAnotherColumn_HidesIt_AsMLNetTransformsDo()
    {
        var images = LoadImages().Fit(shared.Data).Transform(shared.Data);
        var schema = shared.Video.GetOutputSchema(images.Schema);
        Assert.IsType<VideoDataViewType>(schema["Video"].Type);
        var hiding = Context.Transforms.GenerateVideoFme(nameof(ImagePathRow.ImagePath), "Image");
        var shape = LoadImages().Append(hiding).GetOutputSchema(Shape(shared.Data.Schema));
        Assert.IsType<VideoDataViewType>(Assert.Single(shape, c => c.Name == nameof(ImagePathRow.ImagePath)).ItemType);
        using var model = LoadImages().Append(hiding).Fit(shared.Data);
        var output = model.Transform(shared.Data).Schema;
        Assert.IsType<VideoDataViewType>(output[nameof(ImagePathRow.ImagePath)].Type);
        var hidden = Assert.Single(output, c => c.Name == nameof(ImagePathRow.ImagePath) && c.IsHidden);
        Assert.Equal(TextDataViewType.Instance, hidden.Type);
    }

    [Fact]
    public void EstimatorOutputShape_AddsAScalarVideoColumn_AndKeepsTheRest()
    {
        var estimator = LoadImages().Append(Context.Transforms.GenerateVideoFme("Video", "Image"));
        var shape = estimator.GetOutputSchema(Shape(shared.Data.Schema));
        var video = Assert.Single(shape, c => c.Name == "Video");
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, video.Kind);
        Assert.IsType<VideoDataViewType>(video.ItemType);
        Assert.False(video.IsKey);
        Assert.Equal(["ImagePath", "Image", "Video"], shape.Select(c => c.Name));
    }

    [Fact]
    public void SameInputAndOutputName_ReplacesTheImage()
    {
        var images = LoadImages().Fit(shared.Data).Transform(shared.Data);
        var schema = shared.Video.GetOutputSchema(images.Schema);
        Assert.Equal(images.Schema.Count + 1, schema.Count);
        var replacing = Context.Transforms.GenerateVideoFme("Image").GetOutputSchema(Shape(images.Schema));
        Assert.IsType<VideoDataViewType>(Assert.Single(replacing, c => c.Name == "Image").ItemType);
    }
}
