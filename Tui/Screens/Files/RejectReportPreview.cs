using System.Text;

namespace Onboarding.Tui.Screens.Files;

/// <summary>One rejected row as a reject report lists it.</summary>
internal sealed record RejectedRow(string Line, string Column, string ColumnName, string Reason, string Value);

/// <summary>Reads the first rows of a reject report (<c>line,column,column_name,reason,value</c>, RFC 4180 quoting).</summary>
internal static class RejectReportPreview
{
    public static IReadOnlyList<RejectedRow> Read(string path, int maxRows)
    {
        var rows = new List<RejectedRow>();
        using var reader = new StreamReader(path, Encoding.UTF8);
        bool header = true;
        while (rows.Count < maxRows && ReadRecord(reader) is { } fields)
        {
            if (header)
            {
                header = false;
                continue;
            }

            if (fields.Count >= 5)
            {
                rows.Add(new RejectedRow(fields[0], fields[1], fields[2], fields[3], fields[4]));
            }
        }

        return rows;
    }

    private static List<string>? ReadRecord(TextReader reader)
    {
        if (reader.Peek() < 0)
        {
            return null;
        }

        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        while (true)
        {
            int c = reader.Read();
            if (c < 0)
            {
                fields.Add(field.ToString());
                return fields;
            }

            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append((char)c);
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    return fields;
                default:
                    field.Append((char)c);
                    break;
            }
        }
    }
}
