namespace Negentropy.Text;

/// <summary>
/// Learns byte-pair-encoding merges (Sennrich et al., 2016) over byte-level words: it starts from
/// the 256 byte characters of <see cref="ByteLevelAlphabet"/> and repeatedly merges the most
/// frequent adjacent pair into a new token.
/// </summary>
/// <remarks>
/// Pair counts are weighted by word frequency and updated only for the words that contain the
/// merged pair, so a merge costs time in proportion to those words rather than to the corpus.
/// Ties go to the pair whose left and then right token is first in ordinal order, so the result
/// depends only on the word counts.
/// </remarks>
internal static class BpeMergeLearner
{
    /// <summary>Pairs seen fewer times than this are never merged, because a merge would only memorize one word.</summary>
    public const int MinPairCount = 2;

    /// <summary>
    /// Learns merges until the vocabulary has <paramref name="maxTokens"/> tokens or no pair occurs
    /// <see cref="MinPairCount"/> times.
    /// </summary>
    /// <param name="wordCounts">Byte-level words (see <see cref="ByteLevelAlphabet.Encode"/>) and their counts.</param>
    /// <param name="maxTokens">Maximum vocabulary size, at least 256.</param>
    /// <returns>Tokens in id order, the 256 byte characters first, and the merges in the order learned.</returns>
    public static (List<string> Tokens, List<(string Left, string Right)> Merges) Learn(
        IReadOnlyDictionary<string, long> wordCounts, int maxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 256);

        var tokens = ByteLevelAlphabet.Characters.Select(c => c.ToString()).ToList();
        var tokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < tokens.Count; id++)
        {
            tokenIds[tokens[id]] = id;
        }

        Word[] words = wordCounts
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => new Word(pair.Key.Select(c => tokenIds[c.ToString()]).ToList(), pair.Value))
            .ToArray();

        var pairCounts = new Dictionary<long, long>();
        var pairWords = new Dictionary<long, HashSet<int>>();
        for (int w = 0; w < words.Length; w++)
        {
            AddPairs(words[w], w, 1, pairCounts, pairWords, changed: null);
        }

        var queue = new PriorityQueue<long, PairRank>();
        foreach ((long key, long count) in pairCounts)
        {
            queue.Enqueue(key, Rank(key, count, tokens));
        }

        var merges = new List<(string Left, string Right)>();
        var changed = new Dictionary<long, long>();
        while (tokens.Count < maxTokens && queue.TryDequeue(out long pairKey, out PairRank rank))
        {
            // The queue keeps stale entries when a count changes; only the entry with the current count is valid.
            if (!pairCounts.TryGetValue(pairKey, out long count) || count != rank.Count)
            {
                continue;
            }
            if (count < MinPairCount)
            {
                break;
            }

            int left = (int)(pairKey >> 32);
            int right = (int)pairKey;
            string merged = tokens[left] + tokens[right];
            if (!tokenIds.TryGetValue(merged, out int mergedId))
            {
                mergedId = tokens.Count;
                tokens.Add(merged);
                tokenIds[merged] = mergedId;
            }
            merges.Add((tokens[left], tokens[right]));

            changed.Clear();
            foreach (int w in pairWords[pairKey].ToArray())
            {
                Word word = words[w];
                if (!ContainsPair(word.Symbols, left, right))
                {
                    continue;
                }
                AddPairs(word, w, -1, pairCounts, pairWords, changed);
                MergeInPlace(word.Symbols, left, right, mergedId);
                AddPairs(word, w, 1, pairCounts, pairWords, changed);
            }

            foreach ((long key, long delta) in changed)
            {
                if (delta == 0)
                {
                    continue;
                }
                long current = pairCounts[key];
                if (current > 0)
                {
                    queue.Enqueue(key, Rank(key, current, tokens));
                }
                else
                {
                    pairCounts.Remove(key);
                    pairWords.Remove(key);
                }
            }
        }
        return (tokens, merges);
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private static PairRank Rank(long key, long count, List<string> tokens) =>
        new(count, tokens[(int)(key >> 32)], tokens[(int)key]);

    /// <summary>Adds <paramref name="sign"/> × the word's count to each of its adjacent pairs.</summary>
    private static void AddPairs(Word word, int wordIndex, int sign, Dictionary<long, long> pairCounts,
        Dictionary<long, HashSet<int>> pairWords, Dictionary<long, long>? changed)
    {
        List<int> symbols = word.Symbols;
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            long key = Key(symbols[i], symbols[i + 1]);
            long delta = sign * word.Count;
            pairCounts[key] = pairCounts.GetValueOrDefault(key) + delta;
            if (changed is not null)
            {
                changed[key] = changed.GetValueOrDefault(key) + delta;
            }
            if (sign > 0)
            {
                if (!pairWords.TryGetValue(key, out HashSet<int>? members))
                {
                    members = new HashSet<int>();
                    pairWords[key] = members;
                }
                members.Add(wordIndex);
            }
        }
    }

    private static bool ContainsPair(List<int> symbols, int left, int right)
    {
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            if (symbols[i] == left && symbols[i + 1] == right)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Replaces each occurrence of the pair, scanning left to right without overlaps, as BPE encoding does.</summary>
    private static void MergeInPlace(List<int> symbols, int left, int right, int merged)
    {
        int written = 0;
        for (int read = 0; read < symbols.Count; read++)
        {
            if (read + 1 < symbols.Count && symbols[read] == left && symbols[read + 1] == right)
            {
                symbols[written++] = merged;
                read++;
            }
            else
            {
                symbols[written++] = symbols[read];
            }
        }
        symbols.RemoveRange(written, symbols.Count - written);
    }

    private sealed record Word(List<int> Symbols, long Count);

    /// <summary>Queue priority: higher count first, then ordinal order of the left and right tokens.</summary>
    private readonly record struct PairRank(long Count, string Left, string Right) : IComparable<PairRank>
    {
        public int CompareTo(PairRank other)
        {
            int byCount = other.Count.CompareTo(Count);
            if (byCount != 0)
            {
                return byCount;
            }
            int byLeft = string.CompareOrdinal(Left, other.Left);
            return byLeft != 0 ? byLeft : string.CompareOrdinal(Right, other.Right);
        }
    }
}
