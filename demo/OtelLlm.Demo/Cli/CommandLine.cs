using System.Globalization;

namespace OtelLlm.Demo.Cli;

/// <summary>
/// <c>--name value</c> options after the command word. A flag given without a value means <c>true</c>; each option
/// may fall back to an environment variable so the same image runs in compose without arguments.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _values;
    private readonly Func<string, string?> _environment;
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    private CommandLine(Dictionary<string, string> values, Func<string, string?> environment)
    {
        _values = values;
        _environment = environment;
    }

    public static CommandLine Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"Unexpected argument '{arg}'. Options are written --name value.");
            }

            var name = arg[2..];
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[name[..equals]] = name[(equals + 1)..];
            }
            else
            {
                values[name] = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
            }
        }

        return new CommandLine(values, environment ?? Environment.GetEnvironmentVariable);
    }

    public string? Get(string name, string? environmentVariable = null)
    {
        _read.Add(name);
        if (_values.TryGetValue(name, out var value))
        {
            return value;
        }

        return environmentVariable is not null && _environment(environmentVariable) is { Length: > 0 } fromEnv ? fromEnv : null;
    }

    public string GetString(string name, string fallback, string? environmentVariable = null) => Get(name, environmentVariable) ?? fallback;

    public int GetInt(string name, int fallback, int min, string? environmentVariable = null)
    {
        var text = Get(name, environmentVariable);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw new UsageException($"--{name} must be a whole number of at least {min}, not '{text}'.");
        }

        return value;
    }

    public double GetDouble(string name, double fallback, string? environmentVariable = null)
    {
        var text = Get(name, environmentVariable);
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new UsageException($"--{name} must be a number of at least 0, not '{text}'.");
        }

        return value;
    }

    public bool GetBool(string name, bool fallback, string? environmentVariable = null)
    {
        var text = Get(name, environmentVariable);
        return text is null ? fallback : bool.TryParse(text, out var value) ? value : throw new UsageException($"--{name} must be true or false, not '{text}'.");
    }

    public Uri GetUri(string name, string fallback, string? environmentVariable = null)
    {
        var text = GetString(name, fallback, environmentVariable);
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"--{name} must be an http:// or https:// URL, not '{text}'.");
    }

    /// <summary>Fails on options no command asked for, so a typo is not silently ignored.</summary>
    public void RejectUnknown()
    {
        foreach (var name in _values.Keys)
        {
            if (!_read.Contains(name))
            {
                throw new UsageException($"Unknown option --{name}. Run 'help' for the options.");
            }
        }
    }
}

/// <summary>The command line was wrong; the message says how.</summary>
internal sealed class UsageException(string message) : Exception(message);
