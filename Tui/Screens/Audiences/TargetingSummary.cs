using System.Text;
using Onboarding.Engine.Audiences.Expressions;

namespace Onboarding.Tui.Screens.Audiences;

/// <summary>An audience definition in words, as the editor's rows and the read-only views show it.</summary>
internal static class TargetingSummary
{
    /// <summary>
    /// "Members of all of: / + "Loyalty=Gold" / − "Loyalty=Bronze"" for a builder-shaped expression; the canonical
    /// text for any other.
    /// </summary>
    public static string Describe(string expression)
    {
        if (!AudienceExpression.TryParse(expression, out AudienceExpression? parsed, out _)
            || !AudienceBuilder.TryFrom(parsed, out AudienceBuilder? builder))
        {
            return expression;
        }

        var text = new StringBuilder(builder.Rows.Count == 1 ? "Members of:" : builder.Match == AudienceMatch.All ? "Members of all of:" : "Members of any of:");
        foreach (AudienceBuilderRow row in builder.Rows)
        {
            text.Append("\n  ").Append(Row(row));
        }

        return text.ToString();
    }

    /// <summary>One builder row: "+ include "Loyalty=Gold"" or "− exclude "Loyalty=Bronze"".</summary>
    public static string Row(AudienceBuilderRow row) =>
        $"{(row.Included ? "+ include" : "− exclude")}  {row.Term}{row.Term switch
        {
            GroupTerm => "   (any segment of the group)",
            ReferenceTerm => "   (audience or snapshot)",
            _ => string.Empty,
        }}";
}
