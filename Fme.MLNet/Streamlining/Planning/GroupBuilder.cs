using Fme.MLNet.Streamlining.Analysis;

namespace Fme.MLNet.Streamlining.Planning;

/// <summary>
/// One cut group under construction. Units join in topological order while every tensor they touch can be cut along
/// one consistent axis (or is used whole); a unit that reads no cut tensor waits as "free" until a later member asks
/// for its output cut (it then joins, and the requirement runs backwards through it) or whole (it is hoisted before
/// the group). All changes of one join are tried on a <see cref="Trial"/> and committed only if every check passes.
/// </summary>
internal sealed class GroupBuilder
{
    private readonly PlanningContext _ctx;
    private readonly Dictionary<string, int> _cut = new(StringComparer.Ordinal);
    private readonly HashSet<string> _whole = new(StringComparer.Ordinal);
    private readonly HashSet<string> _produced = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AnalysisNode> _freeOutputs = new(StringComparer.Ordinal);
    private readonly HashSet<(string, int)> _usedSources = new();

    /// <summary>
    /// Pieces along a non-leading axis are gathered and scattered block by block; blocks smaller than this make the copies
    /// cost more than the cut saves.
    /// </summary>
    private const long MinimumBlockBytes = 32;

    public GroupBuilder(PlanningContext context, int requestedPieces, bool streamsStatistics)
    {
        _ctx = context;
        RequestedPieces = requestedPieces;
        StreamsStatistics = streamsStatistics;
    }

    /// <summary>
    /// Whether normalisations inside the group may get their statistics from a streaming pass (recomputing their input).
    /// Pixel groups do: the temporal blocks' second norm then needs no full tensor. Elsewhere it would only let a group
    /// run on into layers another cut serves better.
    /// </summary>
    public bool StreamsStatistics { get; }

    public int RequestedPieces { get; }

    /// <summary>GCD of the lengths of every cut tensor: pieces must fall on multiples of length / Gcd.</summary>
    public long Gcd { get; private set; }

    public int Pieces => (int)Math.Min(RequestedPieces, Gcd);

    public Dictionary<AnalysisNode, CutLink> Members { get; } = new();

    /// <summary>Free units resolved whole: they run before the group.</summary>
    public List<AnalysisNode> Hoisted { get; } = new();

    /// <summary>Free units not (yet) asked for.</summary>
    public List<AnalysisNode> Free { get; } = new();

    public List<AnalysisNode> TwoPass { get; } = new();

    /// <summary>Two-pass normalisations whose input exists only in pieces: a streaming pass over the pieces gives their statistics.</summary>
    public List<AnalysisNode> Streamed { get; } = new();

    public List<AnalysisNode> Approximate { get; } = new();

    public IReadOnlyDictionary<string, int> CutAxes => _cut;

    public IReadOnlySet<string> Produced => _produced;

    /// <summary>Starts the group with <paramref name="seed"/> cut along <paramref name="link"/>.</summary>
    public bool Seed(AnalysisNode seed, CutLink link) => TryLink(seed, link, anchored: false);

    /// <summary>Adds the next unit in order; false means the group ends before it.</summary>
    public bool TryJoin(AnalysisNode unit)
    {
        var anchored = unit.Inputs.Any(t => t.Length > 0 && _cut.ContainsKey(t));
        if (!anchored)
        {
            Free.Add(unit);
            foreach (var o in unit.Outputs.Where(o => o.Length > 0))
            {
                _freeOutputs[o] = unit;
            }
            return true;
        }
        if (Pieces < _ctx.FinestRequest && _ctx.MaxPieces(unit) > Pieces)
        {
            return false; // a coarse group (the batch halves, say) must not take a unit that can be cut finer
        }
        foreach (var link in unit.Links.Where(l => l.IsCut).OrderBy(l => l.Kind))
        {
            if (TryLink(unit, link, anchored: true))
            {
                return true;
            }
        }
        return false;
    }

    private bool TryLink(AnalysisNode unit, CutLink link, bool anchored)
    {
        var trial = new Trial(this);
        if (!trial.Apply(unit, link, viaFree: false))
        {
            return false;
        }
        if (Gcd > 0 && Math.Min(RequestedPieces, trial.Gcd) < Pieces)
        {
            return false;
        }
        if (!anchored && trial.Gcd < 2)
        {
            return false;
        }
        trial.Commit();
        return true;
    }

    private enum State
    {
        Known,
        Initializer,
        External,
        Cut,
        Whole,
        Free,
    }

    /// <summary>Proposed changes of one join, checked against the group and against each other.</summary>
    private sealed class Trial
    {
        private readonly GroupBuilder _g;
        private readonly Dictionary<string, int> _cut = new(StringComparer.Ordinal);
        private readonly HashSet<string> _whole = new(StringComparer.Ordinal);
        private readonly HashSet<string> _produced = new(StringComparer.Ordinal);
        private readonly Dictionary<AnalysisNode, CutLink> _joined = new();
        private readonly List<AnalysisNode> _hoisted = new();
        private readonly List<AnalysisNode> _twoPass = new();
        private readonly List<AnalysisNode> _approximate = new();
        private readonly List<AnalysisNode> _streamed = new();
        private readonly HashSet<(string, int)> _sources = new();

        public Trial(GroupBuilder g)
        {
            _g = g;
            Gcd = g.Gcd;
        }

        public long Gcd { get; private set; }

        private State StateOf(string t, out int axis)
        {
            axis = -1;
            if (_cut.TryGetValue(t, out axis) || _g._cut.TryGetValue(t, out axis)) return State.Cut;
            if (_whole.Contains(t) || _g._whole.Contains(t)) return State.Whole;
            if (_g._ctx.Shapes.IsKnown(t)) return State.Known;
            if (_g._ctx.Graph.IsInitializer(t)) return State.Initializer;
            if (_g._freeOutputs.ContainsKey(t)) return State.Free;
            return State.External;
        }

        private bool IsProduced(string t) => _produced.Contains(t) || _g._produced.Contains(t);

        /// <summary>Make <paramref name="t"/> available to a member cut along <paramref name="axis"/> (null: whole).</summary>
        private bool Require(string t, int? axis)
        {
            switch (StateOf(t, out var current))
            {
                case State.Known:
                case State.Initializer:
                    return axis is null;
                case State.Cut:
                    return axis == current;
                case State.Whole:
                    return axis is null;
                case State.External:
                    return axis is { } a ? AssignCut(t, a) : _whole.Add(t) || true;
                default:
                    var unit = _g._freeOutputs[t];
                    return axis is { } b ? ResolveCut(unit, t, b) : ResolveWhole(unit);
            }
        }

        private bool AssignCut(string t, int axis)
        {
            if (_sources.Contains((t, axis)) || _g._usedSources.Contains((t, axis)))
            {
                return false; // a folded value already used in the group reads this axis's size
            }
            var info = _g._ctx.Shapes.Info(t);
            var length = info.Dims[axis];
            if (length < 2 || !MemoryModel.IsContiguous(info, axis) && BlockBytes(info, axis) < MinimumBlockBytes)
            {
                return false;
            }
            _cut[t] = axis;
            Gcd = Gcd == 0 ? length : GreatestCommonDivisor(Gcd, length);
            return true;
        }

        /// <summary>Bytes of one contiguous block of a piece along a non-leading axis (what one copy moves).</summary>
        private long BlockBytes(TensorInfo info, int axis) =>
            info.Bytes / info.Dims[..(axis + 1)].Aggregate(1L, (a, d) => a * d) * Math.Max(1, info.Dims[axis] / Math.Max(1, _g.RequestedPieces));

        private bool ResolveCut(AnalysisNode unit, string output, int axis)
        {
            if (_joined.ContainsKey(unit))
            {
                return false; // already resolved in this trial with another axis (its output would be cut already)
            }
            var slot = unit.Inputs.Length + Array.IndexOf(unit.Outputs, output);
            foreach (var link in unit.Links.Where(l => l.IsCut && l.Axes[slot] == axis))
            {
                var saved = Snapshot();
                if (Apply(unit, link, viaFree: true))
                {
                    return true;
                }
                Restore(saved);
            }
            return false;
        }

        private bool ResolveWhole(AnalysisNode unit)
        {
            if (_hoisted.Contains(unit))
            {
                return true;
            }
            _hoisted.Add(unit);
            foreach (var o in unit.Outputs.Where(o => o.Length > 0))
            {
                _whole.Add(o);
            }
            return unit.Inputs.Where(i => i.Length > 0).All(i => Require(i, null));
        }

        public bool Apply(AnalysisNode unit, CutLink link, bool viaFree)
        {
            var inputs = unit.Inputs.Length;
            if (link.Kind == LinkKind.TwoPass)
            {
                var x = unit.Norm?.Input;
                if (x is null)
                {
                    return false;
                }
                if (IsProduced(x) || StateOf(x, out _) == State.Free)
                {
                    // The input exists only in pieces: take statistics per piece (approximate, when allowed) or in a
                    // streaming pass over the pieces before the main pass (exact, recomputing the input).
                    if (_g._ctx.Options.AllowApproximateCuts)
                    {
                        _approximate.Add(unit);
                    }
                    else if (_g.StreamsStatistics)
                    {
                        _twoPass.Add(unit);
                        _streamed.Add(unit);
                    }
                    else
                    {
                        return false;
                    }
                }
                else
                {
                    _twoPass.Add(unit);
                }
            }
            // Outputs first, so a member reading its own group's outputs backwards sees them cut.
            for (var o = 0; o < unit.Outputs.Length; o++)
            {
                var name = unit.Outputs[o];
                if (name.Length == 0 || !_g._ctx.IsUsed(name))
                {
                    continue;
                }
                if (link.Axes[inputs + o] is not { } axis || !AssignCut(name, axis))
                {
                    return false;
                }
                _produced.Add(name);
            }
            _joined[unit] = link;
            for (var i = 0; i < inputs; i++)
            {
                var t = unit.Inputs[i];
                if (t.Length == 0)
                {
                    continue;
                }
                if (StateOf(t, out _) == State.Known)
                {
                    // A folded value is never cut: it must be broadcast (or a shape input) along the cut.
                    if (link.Axes[i] is not null || !CheckKnown(unit, i, t))
                    {
                        return false;
                    }
                    continue;
                }
                if (!Require(t, link.Axes[i]))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>A folded value is fine in a piece unless it was computed from the size of a cut axis.</summary>
        private bool CheckKnown(AnalysisNode unit, int slot, string t)
        {
            if (unit.Members.Count == 1 && OperatorRegistry.RewritesPieceInput(unit.Members[0], slot))
            {
                return true;
            }
            var value = _g._ctx.Shapes.Value(t)!;
            foreach (var sources in value.Sources)
            {
                foreach (var (tensor, axis) in sources)
                {
                    if (StateOf(tensor, out var cutAxis) == State.Cut && cutAxis == axis)
                    {
                        return false;
                    }
                    _sources.Add((tensor, axis));
                }
            }
            return true;
        }

        private (Dictionary<string, int>, HashSet<string>, HashSet<string>, Dictionary<AnalysisNode, CutLink>, int, int, int, long, HashSet<(string, int)>, int) Snapshot() =>
            (new(_cut), new(_whole), new(_produced), new(_joined), _hoisted.Count, _twoPass.Count, _approximate.Count, Gcd, new(_sources), _streamed.Count);

        private void Restore((Dictionary<string, int> Cut, HashSet<string> Whole, HashSet<string> Produced, Dictionary<AnalysisNode, CutLink> Joined,
            int Hoisted, int TwoPass, int Approximate, long Gcd, HashSet<(string, int)> Sources, int Streamed) s)
        {
            Reset(_cut, s.Cut);
            Reset(_whole, s.Whole);
            Reset(_produced, s.Produced);
            _joined.Clear();
            foreach (var kv in s.Joined) _joined[kv.Key] = kv.Value;
            _hoisted.RemoveRange(s.Hoisted, _hoisted.Count - s.Hoisted);
            _twoPass.RemoveRange(s.TwoPass, _twoPass.Count - s.TwoPass);
            _approximate.RemoveRange(s.Approximate, _approximate.Count - s.Approximate);
            _streamed.RemoveRange(s.Streamed, _streamed.Count - s.Streamed);
            Gcd = s.Gcd;
            _sources.Clear();
            _sources.UnionWith(s.Sources);
        }

        private static void Reset<T>(ICollection<T> target, IEnumerable<T> source)
        {
            target.Clear();
            foreach (var item in source) target.Add(item);
        }

        private static void Reset(Dictionary<string, int> target, Dictionary<string, int> source)
        {
            target.Clear();
            foreach (var kv in source) target[kv.Key] = kv.Value;
        }

        public void Commit()
        {
            foreach (var kv in _cut) _g._cut[kv.Key] = kv.Value;
            _g._whole.UnionWith(_whole);
            _g._produced.UnionWith(_produced);
            _g._usedSources.UnionWith(_sources);
            foreach (var (unit, link) in _joined)
            {
                _g.Members[unit] = link;
                RemoveFree(unit);
            }
            foreach (var unit in _hoisted)
            {
                _g.Hoisted.Add(unit);
                RemoveFree(unit);
            }
            _g.TwoPass.AddRange(_twoPass);
            _g.Approximate.AddRange(_approximate);
            _g.Streamed.AddRange(_streamed);
            _g.Gcd = Gcd;
        }

        private void RemoveFree(AnalysisNode unit)
        {
            _g.Free.Remove(unit);
            foreach (var o in unit.Outputs)
            {
                _g._freeOutputs.Remove(o);
            }
        }
    }

    private static long GreatestCommonDivisor(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }
        return a;
    }
}
