using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Tests.Streamlining;

/// <summary>A session is not safe for concurrent runs: a second run while one is in progress is refused, not run on the
/// first one's plan cache and buffers.</summary>
public class ConcurrentRunTests
{
    [Fact]
    public void A_run_started_during_another_is_refused_and_the_session_still_works()
    {
        var rng = new TestRandom();
        var (model, _, _) = TestModels.SmallCnn(rng);
        var inputs = new Dictionary<string, (float[], long[])> { ["x"] = (rng.Normal(2 * 32 * 8 * 8), [2, 32, 8, 8]) };
        var expected = Oracle.Plain(model, inputs)["y"];
        using var session = StreamlinedSession.Create(model, new StreamlineOptions { FrameChunks = 2, MinimumCutBytes = 0, CutEverywhere = true });
        using var x = OrtValue.CreateTensorValueFromMemory(inputs["x"].Item1, inputs["x"].Item2);

        // The inputs start the second run from inside the first, the moment the first reads them: a deterministic overlap.
        InvalidOperationException? refused = null;
        var reentering = new CallbackInputs(new Dictionary<string, OrtValue> { ["x"] = x }, () =>
            refused = Assert.Throws<InvalidOperationException>(() => session.Run(new Dictionary<string, OrtValue> { ["x"] = x }).Dispose()));
        using (var first = session.Run(reentering))
        {
            Compare.Close(first[0].GetTensorDataAsSpan<float>(), expected, 1e-5, $"the run that was not refused ({rng})");
        }
        Assert.NotNull(refused);
        Assert.Contains("already running", refused.Message);
        Assert.Contains("one session per thread", refused.Message);

        Compare.Close(Oracle.Streamlined(session, inputs)["y"], expected, 1e-5, $"the run after the refusal ({rng})");
    }

    [Fact]
    public void Runs_from_two_threads_are_exact_or_refused()
    {
        var rng = new TestRandom();
        var (model, _, _) = TestModels.SmallCnn(rng);
        var inputs = new Dictionary<string, (float[], long[])> { ["x"] = (rng.Normal(2 * 32 * 8 * 8), [2, 32, 8, 8]) };
        var expected = Oracle.Plain(model, inputs)["y"];
        using var session = StreamlinedSession.Create(model, new StreamlineOptions { FrameChunks = 2, MinimumCutBytes = 0, CutEverywhere = true });
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 2 }, _ =>
        {
            try
            {
                var y = Oracle.Streamlined(session, inputs)["y"];
                Compare.Close(y, expected, 1e-5, $"a concurrent run ({rng})");
                outcomes.Add("exact");
            }
            catch (InvalidOperationException e) when (e.Message.Contains("already running", StringComparison.Ordinal))
            {
                outcomes.Add("refused");
            }
        });
        Assert.Equal(16, outcomes.Count);
        Assert.Contains("exact", outcomes);
    }

    /// <summary>Inputs that call <paramref name="onFirstRead"/> the first time the session looks one up.</summary>
    private sealed class CallbackInputs(Dictionary<string, OrtValue> values, Action onFirstRead) : IReadOnlyDictionary<string, OrtValue>
    {
        private bool _called;

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out OrtValue value)
        {
            if (!_called)
            {
                _called = true;
                onFirstRead();
            }
            return values.TryGetValue(key, out value);
        }

        public OrtValue this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key);
        public IEnumerable<string> Keys => values.Keys;
        public IEnumerable<OrtValue> Values => values.Values;
        public int Count => values.Count;
        public bool ContainsKey(string key) => values.ContainsKey(key);
        public IEnumerator<KeyValuePair<string, OrtValue>> GetEnumerator() => values.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
