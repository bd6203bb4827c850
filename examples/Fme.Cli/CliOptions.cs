using System.CommandLine;
using Fme.MLNet.Diagnostics;
using Fme.MLNet.Streamlining;

namespace Fme.Cli;

/// <summary>Options shared by the commands that cut models: piece counts and the memory budget.</summary>
internal sealed class StreamlineArguments
{
    public Option<int?> FrameChunks { get; } = new("--frame-chunks") { Description = "Pieces for groups cut along frames (the reference code's num_temporal_chunk). Default 7." };

    public Option<int?> PixelChunks { get; } = new("--pixel-chunks") { Description = "Pieces for groups cut along pixels (the reference code's num_spatial_chunk). Default 7." };

    public Option<string?> MemoryBudget { get; } = new("--memory-budget") { Description = "Raise piece counts until the predicted peak of activations fits, e.g. 8GB or 512MiB." };

    public void AddTo(Command command)
    {
        command.Options.Add(FrameChunks);
        command.Options.Add(PixelChunks);
        command.Options.Add(MemoryBudget);
    }

    public StreamlineOptions Read(ParseResult parse)
    {
        var options = StreamlineOptions.Default;
        if (parse.GetValue(FrameChunks) is { } f)
        {
            options = options with { FrameChunks = f };
        }
        if (parse.GetValue(PixelChunks) is { } p)
        {
            options = options with { PixelChunks = p };
        }
        if (parse.GetValue(MemoryBudget) is { } budget)
        {
            options = options with { MemoryBudgetBytes = ByteSize.Parse(budget) };
        }
        return options;
    }
}
