using Onboarding.Engine.Audiences.Expressions;

namespace Onboarding.Tui.Screens.Audiences;

/// <summary>What is wrong with an expression, with the offending part of the text underlined.</summary>
internal static class ExpressionProblem
{
    private const int Window = 100;

    /// <summary>
    /// The engine's message (position, problem, suggestions) and, when it has a position, the text around it with
    /// <c>^</c> under the offending token.
    /// </summary>
    public static string Describe(string text, Exception problem)
    {
        if (problem is not AudienceExpressionException { Position: > 0 } expression)
        {
            return problem.Message;
        }

        int at = Math.Min(expression.Position - 1, text.Length);
        int start = text.Length <= Window ? 0 : Math.Clamp(at - (Window / 2), 0, text.Length - Window);
        string excerpt = text.Substring(start, Math.Min(Window, text.Length - start));
        string caret = new string(' ', at - start) + new string('^', Math.Max(1, Math.Min(expression.Length, excerpt.Length - (at - start))));
        return $"{expression.Message}\n  {(start > 0 ? "…" : string.Empty)}{excerpt}\n  {(start > 0 ? " " : string.Empty)}{caret}";
    }
}
