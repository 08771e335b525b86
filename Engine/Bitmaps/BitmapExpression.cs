using Onboarding.Engine.Bitmaps.Internal;

namespace Onboarding.Engine.Bitmaps;

/// <summary>
/// A boolean combination of bitmaps (intersections with exclusions, unions), evaluated one 16-bit key at a time:
/// each key's result is computed from the operands' containers into a few pooled scratch bitsets, so no
/// intermediate bitmap is ever built and the working set stays in the CPU cache whatever the expression's size.
/// The operand bitmaps are only read; they must not change while the expression is evaluated.
/// </summary>
public abstract class BitmapExpression
{
    private protected BitmapExpression()
    {
    }

    /// <summary>The values of one bitmap.</summary>
    /// <param name="bitmap">The bitmap (read, never modified).</param>
    /// <returns>The expression.</returns>
    public static BitmapExpression Of(RoaringBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        return new BitmapOperand(bitmap);
    }

    /// <summary>The values in every one of <paramref name="included"/> and in none of <paramref name="excluded"/>.</summary>
    /// <param name="included">At least one operand; they are intersected smallest first, per key.</param>
    /// <param name="excluded">Operands whose values are removed (only evaluated where the intersection is not empty).</param>
    /// <returns>The expression.</returns>
    public static BitmapExpression And(IReadOnlyList<BitmapExpression> included, IReadOnlyList<BitmapExpression>? excluded = null)
    {
        ArgumentNullException.ThrowIfNull(included);
        ArgumentOutOfRangeException.ThrowIfZero(included.Count, nameof(included));
        return new IntersectionExpression([.. included], [.. excluded ?? []]);
    }

    /// <summary>The values in any of the operands (none: the empty set).</summary>
    /// <param name="operands">The operands.</param>
    /// <returns>The expression.</returns>
    public static BitmapExpression Or(IReadOnlyList<BitmapExpression> operands)
    {
        ArgumentNullException.ThrowIfNull(operands);
        return new UnionExpression([.. operands]);
    }

    /// <summary>How many values the expression holds, without building them.</summary>
    /// <returns>The cardinality.</returns>
    public long Count() => this is BitmapOperand operand ? operand.Bitmap.Cardinality : new KeyedEvaluator(this).Count();

    /// <summary>The values, as a new bitmap the caller owns (it shares no storage with the operands).</summary>
    /// <returns>The bitmap.</returns>
    public RoaringBitmap Evaluate() => this is BitmapOperand operand ? operand.Bitmap.Clone() : new KeyedEvaluator(this).Evaluate();
}

/// <summary>A bitmap operand.</summary>
internal sealed class BitmapOperand(RoaringBitmap bitmap) : BitmapExpression
{
    public RoaringBitmap Bitmap { get; } = bitmap;
}

/// <summary>∩ included − ∪ excluded.</summary>
internal sealed class IntersectionExpression(BitmapExpression[] included, BitmapExpression[] excluded) : BitmapExpression
{
    public BitmapExpression[] Included { get; } = included;

    public BitmapExpression[] Excluded { get; } = excluded;
}

/// <summary>∪ operands.</summary>
internal sealed class UnionExpression(BitmapExpression[] operands) : BitmapExpression
{
    public BitmapExpression[] Operands { get; } = operands;
}
