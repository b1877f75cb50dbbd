using System.Globalization;
using System.Reflection;
using System.Text;

namespace Negentropy.Text;

/// <summary>
/// Unicode normalization form KC (NFKC, Unicode Standard Annex #15) in managed code.
/// </summary>
/// <remarks>
/// The repository builds with InvariantGlobalization, and in that mode .NET's string.Normalize
/// returns non-ASCII text unchanged. The tables are the embedded UnicodeData/nfkc.txt, written by
/// tools/unicode/make_nfkc_data.py (Unicode 14.0.0), so every machine normalizes the same way
/// whatever ICU it has. Lone surrogates pass through unchanged.
/// </remarks>
public static class UnicodeNormalizer
{
    private const int HangulSyllableFirst = 0xAC00;
    private const int HangulLeadFirst = 0x1100;
    private const int HangulVowelFirst = 0x1161;
    private const int HangulTrailFirst = 0x11A7;
    private const int HangulLeadCount = 19;
    private const int HangulVowelCount = 21;
    private const int HangulTrailCount = 28;
    private const int HangulSyllablesPerLead = HangulVowelCount * HangulTrailCount;
    private const int HangulSyllableCount = HangulLeadCount * HangulSyllablesPerLead;

    private static readonly Lazy<Tables> Data = new(Tables.Load);

    /// <summary>Returns <paramref name="text"/> in NFKC.</summary>
    public static string ToNfkc(string text)
    {
        if (IsAscii(text))
        {
            return text;
        }

        Tables tables = Data.Value;
        var codes = new List<int>(text.Length + 8);
        Decompose(text, tables, codes);
        SortCombiningMarks(codes, tables);
        Compose(codes, tables);

        var builder = new StringBuilder(codes.Count);
        foreach (int code in codes)
        {
            AppendCode(builder, code);
        }
        return builder.ToString();
    }

    private static bool IsAscii(string text)
    {
        foreach (char c in text)
        {
            if (c >= 0x80)
            {
                return false;
            }
        }
        return true;
    }

    private static void Decompose(string text, Tables tables, List<int> codes)
    {
        for (int i = 0; i < text.Length; i++)
        {
            int code = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                code = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }

            int syllableIndex = code - HangulSyllableFirst;
            if (syllableIndex is >= 0 and < HangulSyllableCount)
            {
                codes.Add(HangulLeadFirst + syllableIndex / HangulSyllablesPerLead);
                codes.Add(HangulVowelFirst + syllableIndex % HangulSyllablesPerLead / HangulTrailCount);
                int trail = syllableIndex % HangulTrailCount;
                if (trail != 0)
                {
                    codes.Add(HangulTrailFirst + trail);
                }
            }
            else if (tables.Decompositions.TryGetValue(code, out int[]? mapping))
            {
                codes.AddRange(mapping);
            }
            else
            {
                codes.Add(code);
            }
        }
    }

    /// <summary>Puts each run of combining marks in canonical order: a stable sort by combining class.</summary>
    private static void SortCombiningMarks(List<int> codes, Tables tables)
    {
        for (int i = 1; i < codes.Count; i++)
        {
            int code = codes[i];
            int combiningClass = tables.CombiningClass(code);
            if (combiningClass == 0)
            {
                continue;
            }
            int j = i;
            while (j > 0 && tables.CombiningClass(codes[j - 1]) > combiningClass)
            {
                codes[j] = codes[j - 1];
                j--;
            }
            codes[j] = code;
        }
    }

    /// <summary>
    /// Applies canonical composition: each mark or starter combines with the last starter unless a
    /// character of the same or higher combining class is between them, as UAX #15 defines it.
    /// </summary>
    private static void Compose(List<int> codes, Tables tables)
    {
        if (codes.Count == 0)
        {
            return;
        }

        int starterPosition = 0;
        int starter = codes[0];
        // A string that begins with a mark has no starter to compose with, so the mark blocks all.
        int lastClass = tables.CombiningClass(starter) == 0 ? 0 : 256;
        int written = 1;
        for (int read = 1; read < codes.Count; read++)
        {
            int code = codes[read];
            int combiningClass = tables.CombiningClass(code);
            int composite = ComposePair(starter, code, tables);
            if (composite >= 0 && (lastClass < combiningClass || lastClass == 0))
            {
                codes[starterPosition] = composite;
                starter = composite;
                continue;
            }

            if (combiningClass == 0)
            {
                starterPosition = written;
                starter = code;
            }
            lastClass = combiningClass;
            codes[written++] = code;
        }
        codes.RemoveRange(written, codes.Count - written);
    }

    /// <summary>Returns the primary composite of the two code points, or -1 when there is none.</summary>
    private static int ComposePair(int first, int second, Tables tables)
    {
        int leadIndex = first - HangulLeadFirst;
        int vowelIndex = second - HangulVowelFirst;
        if (leadIndex is >= 0 and < HangulLeadCount && vowelIndex is >= 0 and < HangulVowelCount)
        {
            return HangulSyllableFirst + (leadIndex * HangulVowelCount + vowelIndex) * HangulTrailCount;
        }

        int syllableIndex = first - HangulSyllableFirst;
        int trailIndex = second - HangulTrailFirst;
        if (syllableIndex is >= 0 and < HangulSyllableCount && syllableIndex % HangulTrailCount == 0
            && trailIndex is > 0 and < HangulTrailCount)
        {
            return first + trailIndex;
        }

        return tables.Compositions.TryGetValue(PairKey(first, second), out int composite) ? composite : -1;
    }

    private static long PairKey(int first, int second) => ((long)first << 21) | (uint)second;

    private static void AppendCode(StringBuilder builder, int code)
    {
        if (code < 0x10000)
        {
            builder.Append((char)code);
        }
        else
        {
            builder.Append(char.ConvertFromUtf32(code));
        }
    }

    private sealed class Tables
    {
        private const string ResourceName = "Negentropy.Text.UnicodeData.nfkc.txt";

        public Dictionary<int, int[]> Decompositions { get; } = new();

        public Dictionary<long, int> Compositions { get; } = new();

        public Dictionary<int, byte> CombiningClasses { get; } = new();

        public int CombiningClass(int code) => CombiningClasses.TryGetValue(code, out byte value) ? value : 0;

        public static Tables Load()
        {
            using Stream stream = typeof(UnicodeNormalizer).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from the Negentropy assembly");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var tables = new Tables();
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }
                string[] fields = line.Split(' ');
                switch (fields[0])
                {
                    case "ccc":
                        int first = Hex(fields[1]);
                        int last = Hex(fields[2]);
                        byte value = byte.Parse(fields[3], CultureInfo.InvariantCulture);
                        for (int code = first; code <= last; code++)
                        {
                            tables.CombiningClasses[code] = value;
                        }
                        break;
                    case "nfkd":
                        tables.Decompositions[Hex(fields[1])] = fields.Skip(2).Select(Hex).ToArray();
                        break;
                    case "pair":
                        tables.Compositions[PairKey(Hex(fields[1]), Hex(fields[2]))] = Hex(fields[3]);
                        break;
                    default:
                        throw new InvalidOperationException($"{ResourceName}: unknown record '{fields[0]}'");
                }
            }
            return tables;
        }

        private static int Hex(string text) => int.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
