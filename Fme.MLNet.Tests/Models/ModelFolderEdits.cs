using Fme.MLNet.Models;
using Fme.MLNet.Onnx;
using Fme.MLNet.Onnx.Proto;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Models;

/// <summary>A private copy of the tiny model folder that a test may break in one place.</summary>
public sealed class ModelFolderCopy : IDisposable
{
    private readonly TempFolder _folder = new();

    public ModelFolderCopy(string source)
    {
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(_folder.Path, System.IO.Path.GetRelativePath(source, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            System.IO.File.Copy(file, target);
        }
    }

    public string Path => _folder.Path;

    public string File(params string[] parts) => _folder.File(parts);

    /// <summary>Rewrites one network's graph (its weights are carried over).</summary>
    public void EditGraph(SvdNetworkKind kind, Action<ModelProto> edit)
    {
        var path = File(kind.FolderName(), TinySvd.ModelFileName);
        var model = OnnxModel.Load(path);
        var proto = model.Proto.Clone();
        edit(proto);
        OnnxModel.FromProto(proto, model.BaseDirectory).Save(path);
    }

    /// <summary>Rewrites a JSON config with a text replacement that must apply.</summary>
    public void EditText(string relative, string from, string to)
    {
        var path = File(relative);
        var text = System.IO.File.ReadAllText(path);
        Assert.Contains(from, text);
        System.IO.File.WriteAllText(path, text.Replace(from, to));
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>Renames a tensor everywhere it appears: graph inputs and outputs, value_info, node inputs and outputs.</summary>
    public static void Rename(ModelProto model, string from, string to)
    {
        var g = model.Graph;
        foreach (var v in g.Input.Concat(g.Output).Concat(g.ValueInfo).Where(v => v.Name == from))
        {
            v.Name = to;
        }
        foreach (var node in g.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                node.Input[i] = node.Input[i] == from ? to : node.Input[i];
            }
            for (var i = 0; i < node.Output.Count; i++)
            {
                node.Output[i] = node.Output[i] == from ? to : node.Output[i];
            }
        }
    }

    /// <summary>Replaces the declared dims of a graph input or output (numbers fix an axis, strings name a dynamic one).</summary>
    public static void SetDims(ModelProto model, string tensor, params object[] dims)
    {
        var v = model.Graph.Input.Concat(model.Graph.Output).Single(x => x.Name == tensor);
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) });
        }
        v.Type.TensorType.Shape = shape;
    }
}
