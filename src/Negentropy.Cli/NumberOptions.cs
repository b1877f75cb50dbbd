using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Negentropy.Cli;

/// <summary>
/// Numeric options whose values are parsed with the invariant culture and no thousands separators,
/// so "0,01" is an error instead of 1, and whose errors name the option and the value as typed.
/// </summary>
public static class NumberOptions
{
    public static Option<int> Integer(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseInteger(result, name) ?? defaultValue,
    };

    public static Option<int?> OptionalInteger(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result => ParseInteger(result, name),
    };

    public static Option<double> Real(string name, string description, double defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseReal(result, name) ?? defaultValue,
    };

    public static Option<double?> OptionalReal(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result => ParseReal(result, name),
    };

    private static int? ParseInteger(ArgumentResult result, string name)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }
        string token = result.Tokens[^1].Value;
        if (!int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            result.AddError($"{name} '{token}' is not a whole number{(long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? " in range" : "")}");
            return null;
        }
        return value;
    }

    private static double? ParseReal(ArgumentResult result, string name)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }
        string token = result.Tokens[^1].Value;
        // NumberStyles.Float has no thousands separators: "0,01" fails instead of reading as 1.
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            result.AddError($"{name} '{token}' is not a number; write decimals with a point, as in 0.01");
            return null;
        }
        return value;
    }
}
