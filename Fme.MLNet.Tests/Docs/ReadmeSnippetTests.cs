using System.Reflection.PortableExecutable;
using Fme.MLNet.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Fme.MLNet.Tests.Docs;

/// <summary>The README's C# examples compile against the library as it is, so the documentation cannot drift from the
/// code: each block is a program of its own (top-level statements), with the SDK's implicit usings.</summary>
public class ReadmeSnippetTests
{
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    public static TheoryData<string> Snippets()
    {
        var data = new TheoryData<string>();
        foreach (var snippet in ReadmeSnippet.Read(Readme))
        {
            data.Add(snippet.ToString());
        }
        return data;
    }

    private static string Readme => Path.Combine(Repository.Root, "README.md");

    [Fact]
    public void The_readme_has_the_examples_this_test_reads()
    {
        // A change to the block syntax that this reader misses would otherwise pass by compiling nothing.
        var snippets = ReadmeSnippet.Read(Readme);
        Assert.True(snippets.Count >= 5, $"only {snippets.Count} C# blocks found in {Readme}");
        Assert.Contains(snippets, s => s.Code.Contains("GenerateVideoFme(", StringComparison.Ordinal));
        Assert.Contains(snippets, s => s.Code.Contains("StreamlinedSession.Create(", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Readme_example_compiles(string where)
    {
        var snippet = ReadmeSnippet.Read(Readme).Single(s => s.ToString() == where);
        var diagnostics = Compile(snippet);
        Assert.True(diagnostics.Count == 0,
            $"The C# example at {where} does not compile against the library:\n" + string.Join("\n", diagnostics));
    }

    [Fact]
    public void A_wrong_example_is_caught()
    {
        // The check must be able to fail: a misspelt member is reported with its line.
        var wrong = new ReadmeSnippet("README.md", 1, "using Fme.MLNet.Pipelines;\nvar o = new GenerationOptions { Sead = 1 };\n", "");
        Assert.Contains(Compile(wrong), d => d.Contains("Sead", StringComparison.Ordinal));
    }

    /// <summary>Errors and warnings of <paramref name="snippet"/> compiled as a program, with the README's line numbers.</summary>
    private static List<string> Compile(ReadmeSnippet snippet)
    {
        // Usings first, then the context's declarations, then the example; line directives keep the README's numbers.
        var lines = snippet.Code.Split('\n');
        var usings = lines.TakeWhile(l => l.StartsWith("using ", StringComparison.Ordinal) && !l.StartsWith("using var ", StringComparison.Ordinal)
            || l.Trim().Length == 0).Count();
        var source = string.Join('\n', lines.Take(usings)) + "\n" + snippet.Context + "\n"
            + $"#line {snippet.Line + usings} \"{Path.GetFileName(snippet.File)}\"\n" + string.Join('\n', lines.Skip(usings));
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create("ReadmeSnippet",
            [CSharpSyntaxTree.ParseText(ImplicitUsings, parse), CSharpSyntaxTree.ParseText(source, parse, path: "snippet.cs")],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())
            .ToList();
    }

    /// <summary>The framework and every managed assembly beside the tests (the library and its packages).</summary>
    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll").Where(IsManaged);
        return framework.Concat(local)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.First()))
            .ToList();
    }

    private static bool IsManaged(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        return pe.HasMetadata;
    }
}
