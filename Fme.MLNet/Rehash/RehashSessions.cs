using Fme.MLNet.Models;
using Fme.MLNet.Onnx;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Streamlining;

namespace Fme.MLNet.Rehash;

/// <summary>
/// The full and shallow UNet models of one depth, each run through the streamlined executor. Holds native sessions:
/// disposable.
/// </summary>
internal sealed class RehashSessions : IDisposable
{
    private RehashSessions(RehashModels models, NetworkSession full, NetworkSession shallow)
    {
        Models = models;
        Full = full;
        Shallow = shallow;
    }

    public RehashModels Models { get; }

    /// <summary>The UNet with the deep tensor as an extra output.</summary>
    public NetworkSession Full { get; }

    /// <summary>The outermost levels, given the deep tensor.</summary>
    public NetworkSession Shallow { get; }

    public TimeSpan RuntimeElapsed => Full.RuntimeElapsed + Shallow.RuntimeElapsed;

    /// <summary>Finds the split of the UNet for these input shapes and cuts the two models.</summary>
    /// <exception cref="RehashException">The UNet cannot be split.</exception>
    public static RehashSessions Create(SvdNetwork unet, SessionOptionsFactory factory, StreamlineOptions streamline, int depth,
        IReadOnlyDictionary<string, long[]> inputShapes)
    {
        var model = OnnxModel.Load(unet.OnnxPath);
        var models = RehashModels.Build(model, UnetSkipStructure.Find(model, inputShapes), depth);
        var full = new NetworkSession(unet, factory, streamline, models.Full);
        try
        {
            return new RehashSessions(models, full, new NetworkSession(unet, factory, streamline, models.Shallow));
        }
        catch
        {
            full.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Full.Dispose();
        Shallow.Dispose();
    }
}
