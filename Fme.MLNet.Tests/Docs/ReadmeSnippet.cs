using System.Text.RegularExpressions;

namespace Fme.MLNet.Tests.Docs;

/// <summary>One <c>```csharp</c> block of a Markdown file, with the declarations an HTML comment right above it supplies
/// (<c>&lt;!-- snippet-context: ... --&gt;</c>) for names the reader is meant to have already.</summary>
internal sealed record ReadmeSnippet(string File, int Line, string Code, string Context)
{
    private static readonly Regex Block = new(
        @"(?:<!--\s*snippet-context:(?<context>.*?)-->\s*\n)?^```csharp[ \t]*\n(?<code>.*?)^```[ \t]*$",
        RegexOptions.Singleline | RegexOptions.Multiline | RegexOptions.CultureInvariant);

    /// <summary>Every C# block of <paramref name="path"/>, in order.</summary>
    public static IReadOnlyList<ReadmeSnippet> Read(string path)
    {
        var text = System.IO.File.ReadAllText(path).Replace("\r\n", "\n");
        return Block.Matches(text)
            .Select(m => new ReadmeSnippet(path, 1 + text.AsSpan(0, m.Groups["code"].Index).Count('\n'),
                m.Groups["code"].Value, m.Groups["context"].Success ? m.Groups["context"].Value.Trim() : ""))
            .ToList();
    }

    public override string ToString() => $"{System.IO.Path.GetFileName(File)}:{Line}";
}
