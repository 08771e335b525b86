using System.Text;

namespace Onboarding.Engine.Audiences.Expressions;

/// <summary>
/// "Did you mean" for a mistyped name: the closest candidates by Levenshtein distance over case-folded text
/// (so a case-only difference is distance 0), within a quarter of the name's length (at least 2), best first,
/// ties in ordinal order.
/// </summary>
internal static class NameSuggestions
{
    public const int MaxSuggestions = 3;

    public static IReadOnlyList<string> Closest(string name, IEnumerable<string> candidates, int max = MaxSuggestions)
    {
        string folded = name.ToUpperInvariant();
        int limit = Math.Max(2, folded.Length / 4);
        var scored = new List<(int Distance, string Name)>();
        int[] row = new int[folded.Length + 1];
        foreach (string candidate in candidates)
        {
            if (string.Equals(candidate, name, StringComparison.Ordinal))
            {
                continue;
            }

            int distance = Distance(folded, candidate.ToUpperInvariant(), limit, ref row);
            if (distance <= limit)
            {
                scored.Add((distance, candidate));
            }
        }

        scored.Sort(static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : string.CompareOrdinal(a.Name, b.Name));
        var result = new string[Math.Min(max, scored.Count)];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = scored[i].Name;
        }

        return result;
    }

    /// <summary><c>; did you mean "A"?</c>, <c>; did you mean "A" or "B"?</c>, <c>; did you mean "A", "B" or "C"?</c>; empty for none.</summary>
    public static string DidYouMean(IReadOnlyList<string> quoted)
    {
        if (quoted.Count == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder("; did you mean ");
        for (int i = 0; i < quoted.Count; i++)
        {
            builder.Append(i == 0 ? string.Empty : i == quoted.Count - 1 ? " or " : ", ").Append(quoted[i]);
        }

        return builder.Append('?').ToString();
    }

    /// <summary>Levenshtein distance, giving up (returning limit + 1) once every cell of a row is over the limit.</summary>
    internal static int Distance(string a, string b, int limit, ref int[] row)
    {
        if (Math.Abs(a.Length - b.Length) > limit)
        {
            return limit + 1;
        }

        if (row.Length < a.Length + 1)
        {
            row = new int[a.Length + 1];
        }

        for (int i = 0; i <= a.Length; i++)
        {
            row[i] = i;
        }

        for (int j = 1; j <= b.Length; j++)
        {
            int diagonal = row[0];
            row[0] = j;
            int rowMin = j;
            for (int i = 1; i <= a.Length; i++)
            {
                int above = row[i];
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int value = Math.Min(Math.Min(above + 1, row[i - 1] + 1), diagonal + cost);
                row[i] = value;
                diagonal = above;
                rowMin = Math.Min(rowMin, value);
            }

            if (rowMin > limit)
            {
                return limit + 1;
            }
        }

        return row[a.Length];
    }
}
