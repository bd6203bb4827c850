namespace Fme.MLNet.Diffusion;

/// <summary>
/// A scheduler configuration (usually a model folder's <c>scheduler_config.json</c>) holds a value this
/// library cannot use. The message names the source, the field, the value found and what is supported.
/// </summary>
public sealed class SchedulerConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">Where the configuration came from: a file path, or a description.</param>
    /// <param name="field">The diffusers field name, e.g. <c>prediction_type</c>; null when the whole file is at fault.</param>
    /// <param name="message">What was found and what is supported.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public SchedulerConfigException(string source, string? field, string message, Exception? inner = null)
        : base(field is null ? $"{source}: {message}" : $"{source}: field '{field}': {message}", inner)
    {
        ConfigSource = source;
        Field = field;
    }

    /// <summary>Where the configuration came from: a file path, or a description such as "scheduler config".</summary>
    public string ConfigSource { get; }

    /// <summary>The diffusers field name at fault, or null when the whole configuration is.</summary>
    public string? Field { get; }
}
