using System.Diagnostics;
using System.Globalization;

namespace Fme.Benchmarks;

/// <summary>
/// This process's GPU memory as nvidia-smi reports it (CUDA context plus whatever the arenas hold), sampled every 50 ms
/// while running: ONNX Runtime's CUDA arenas keep their chunks, so the highest sample is the arena's peak.
/// </summary>
internal sealed class GpuMemory : IDisposable
{
    private readonly Process _smi;
    private readonly Thread _reader;
    private long _peak;
    private bool _stopped;

    private GpuMemory(Process smi)
    {
        _smi = smi;
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        _reader = new Thread(() =>
        {
            while (_smi.StandardOutput.ReadLine() is { } line)
            {
                var fields = line.Split(',', StringSplitOptions.TrimEntries);
                if (fields.Length == 2 && fields[0] == pid && long.TryParse(fields[1], CultureInfo.InvariantCulture, out var mib))
                {
                    Interlocked.Exchange(ref _peak, Math.Max(Interlocked.Read(ref _peak), mib << 20));
                }
            }
        }) { IsBackground = true };
        _reader.Start();
    }

    /// <summary>The highest sample so far, in bytes.</summary>
    public long PeakBytes => Interlocked.Read(ref _peak);

    public static GpuMemory Start()
    {
        var info = new ProcessStartInfo("nvidia-smi", "--query-compute-apps=pid,used_memory --format=csv,noheader,nounits -lms 50")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        return new GpuMemory(Process.Start(info) ?? throw new InvalidOperationException("nvidia-smi did not start."));
    }

    public void Dispose()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        Thread.Sleep(200); // one more sample after the last call
        _smi.Kill();
        _reader.Join(1000);
        _smi.Dispose();
    }
}
