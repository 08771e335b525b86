using System.Runtime.CompilerServices;
using Onboarding.Engine.Bitmaps.Containers;

namespace Onboarding.Engine.Bitmaps.Internal;

/// <summary>
/// Evaluates a <see cref="BitmapExpression"/> key by key. Per key, a node's result is a <see cref="Part"/>: an
/// operand's own container (read only), a container built by <see cref="ContainerOps"/> (small results of mixed
/// kinds), or a pooled scratch bitset that the evaluator may overwrite. Bitset operands, the dense case, are only
/// ever combined into scratch bitsets, so a whole evaluation allocates a handful of 8 KB buffers.
/// </summary>
internal sealed class KeyedEvaluator
{
    private readonly Node _root;
    private readonly Leaf[] _leaves;
    private readonly Container?[] _current;
    private readonly int[] _positions;
    private readonly Stack<BitsetContainer> _pool = new();
    private Part[] _stack = new Part[16];
    private int _count;

    public KeyedEvaluator(BitmapExpression expression)
    {
        var leaves = new Dictionary<RoaringBitmap, Leaf>(ReferenceEqualityComparer.Instance);
        var nodes = new Dictionary<BitmapExpression, Node>(ReferenceEqualityComparer.Instance);
        _root = Compile(expression, leaves, nodes);
        _leaves = [.. leaves.Values];
        _current = new Container?[_leaves.Length];
        _positions = new int[_leaves.Length];
    }

    public long Count()
    {
        long total = 0;
        foreach (ushort key in Keys())
        {
            Part part = Evaluate(key);
            if (part.Container is { } container)
            {
                total += container.Cardinality;
                Release(part);
            }
        }

        return total;
    }

    public RoaringBitmap Evaluate()
    {
        ushort[] keys = Keys();
        var containers = new Container[keys.Length];
        int size = 0;
        foreach (ushort key in keys)
        {
            Part part = Evaluate(key);
            if (part.Container is not { } container)
            {
                continue;
            }

            keys[size] = key;
            containers[size++] = container switch
            {
                BitsetContainer { Count: <= Container.MaxArraySize } small => small.ToArray(),
                BitsetContainer scratch when part.Owned => new BitsetContainer((ulong[])scratch.Words.Clone(), scratch.Count),
                _ => container.Clone(),
            };
            Release(part);
        }

        return new RoaringBitmap(keys, containers, size);
    }

    /// <summary>The keys where the result may hold values, ascending.</summary>
    private ushort[] Keys()
    {
        ulong[] support = _root.Support;
        int n = BitsetOps.Count(support);
        var keys = new ushort[n];
        BitsetOps.Extract(support, keys);
        return keys;
    }

    private Part Evaluate(ushort key)
    {
        for (int i = 0; i < _leaves.Length; i++)
        {
            RoaringBitmap bitmap = _leaves[i].Bitmap;
            int position = _positions[i];
            while (position < bitmap.ContainerCount && bitmap.KeyAt(position) < key)
            {
                position++;
            }

            _positions[i] = position;
            _current[i] = position < bitmap.ContainerCount && bitmap.KeyAt(position) == key ? bitmap.ContainerAt(position) : null;
        }

        return Evaluate(_root, key);
    }

    private Part Evaluate(Node node, ushort key)
    {
        if ((node.Support[key >> 6] & (1UL << key)) == 0)
        {
            return default;
        }

        return node switch
        {
            Leaf leaf => new Part(_current[leaf.Slot], Owned: false),
            Union union => Evaluate(union, key),
            _ => Evaluate((Intersection)node, key),
        };
    }

    private Part Evaluate(Union union, ushort key)
    {
        int mark = _count;
        foreach (Node operand in union.Operands)
        {
            Part part = Evaluate(operand, key);
            if (part.Container is not null)
            {
                Push(part);
            }
        }

        int n = _count - mark;
        Part result = n switch
        {
            0 => default,
            1 => _stack[mark],
            _ => UnionOf(_stack.AsSpan(mark, n)),
        };
        _count = mark;
        return result;
    }

    private Part Evaluate(Intersection intersection, ushort key)
    {
        int mark = _count;
        foreach (Node operand in intersection.Included)
        {
            Part part = Evaluate(operand, key);
            if (part.Container is null)
            {
                return ReleaseFrom(mark);
            }

            Push(part);
        }

        // Smallest first: the running result only shrinks.
        Span<Part> parts = _stack.AsSpan(mark, _count - mark);
        for (int i = 1; i < parts.Length; i++)
        {
            for (int j = i; j > 0 && parts[j].Container!.Cardinality < parts[j - 1].Container!.Cardinality; j--)
            {
                (parts[j], parts[j - 1]) = (parts[j - 1], parts[j]);
            }
        }

        Part running = parts[0];
        for (int i = 1; i < parts.Length; i++)
        {
            running = Intersect(running, parts[i]);
            if (running.Container is null)
            {
                ReleaseFrom(mark + i + 1);
                _count = mark;
                return default;
            }
        }

        _count = mark;
        foreach (Node operand in intersection.Excluded)
        {
            Part excluded = Evaluate(operand, key);
            if (excluded.Container is not null)
            {
                running = Subtract(running, excluded);
                if (running.Container is null)
                {
                    return default;
                }
            }
        }

        return running;
    }

    /// <summary>a ∩ b; the inputs are consumed (released unless they became the result).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Part Intersect(Part a, Part b)
    {
        if (a.Container is BitsetContainer left && b.Container is BitsetContainer right)
        {
            BitsetContainer into = a.Owned ? left : b.Owned ? right : Rent();
            into.Count = BitsetOps.ApplyCount<AndOp>(left.Words, right.Words, into.Words);
            ReleaseUnless(a, into);
            ReleaseUnless(b, into);
            return Owned(into);
        }

        Container? result = ContainerOps.And(a.Container!, b.Container!);
        Release(a);
        Release(b);
        return result is { Cardinality: > 0 } ? new Part(result, Owned: false) : default;
    }

    /// <summary>running − excluded; the inputs are consumed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Part Subtract(Part running, Part excluded)
    {
        if (running.Container is not BitsetContainer source)
        {
            // Arrays and runs: a small result, built by the container kernels (running is never a scratch bitset).
            Container? result = ContainerOps.AndNot(running.Container!, excluded.Container!);
            Release(excluded);
            return result is { Cardinality: > 0 } ? new Part(result, Owned: false) : default;
        }

        BitsetContainer into = running.Owned ? source : Rent();
        switch (excluded.Container)
        {
            case BitsetContainer bitset:
                into.Count = BitsetOps.ApplyCount<AndNotOp>(source.Words, bitset.Words, into.Words);
                break;
            case ArrayContainer array:
                CopyInto(source, into);
                ulong[] words = into.Words;
                int removed = 0;
                foreach (ushort v in array.Span)
                {
                    ref ulong w = ref words[v >> 6];
                    ulong bit = 1UL << v;
                    removed += (w & bit) != 0 ? 1 : 0;
                    w &= ~bit;
                }

                into.Count -= removed;
                break;
            default:
                CopyInto(source, into);
                var runs = (RunContainer)excluded.Container!;
                for (int k = 0; k < runs.RunCount; k++)
                {
                    into.Count -= BitsetOps.ClearRange(into.Words, runs.Start(k), runs.End(k) + 1);
                }

                break;
        }

        Release(excluded);
        return Owned(into);
    }

    /// <summary>The union of two or more non-empty parts; they are consumed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Part UnionOf(Span<Part> parts)
    {
        int first = -1;
        int values = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            Container c = parts[i].Container!;
            values += c.Cardinality;
            if (c is BitsetContainer && (first < 0 || parts[i].Owned))
            {
                first = i;
            }
        }

        if (first < 0 && values <= Container.MaxArraySize)
        {
            // Few values in arrays and runs: a small container, merged pairwise (no scratch part involved).
            Container small = parts[0].Container!;
            for (int i = 1; i < parts.Length; i++)
            {
                small = ContainerOps.Or(small, parts[i].Container!);
            }

            return new Part(small, Owned: false);
        }

        BitsetContainer into;
        if (first < 0)
        {
            into = Rent();
            Array.Clear(into.Words);
        }
        else if (parts[first].Owned)
        {
            into = (BitsetContainer)parts[first].Container!;
        }
        else
        {
            into = Rent();
            CopyInto((BitsetContainer)parts[first].Container!, into);
        }

        for (int i = 0; i < parts.Length; i++)
        {
            if (i != first)
            {
                ContainerOps.LazyOrInto(into.Words, parts[i].Container!);
                Release(parts[i]);
            }
        }

        into.Count = BitsetOps.Count(into.Words);
        return Owned(into);
    }

    private Part Owned(BitsetContainer bitset)
    {
        if (bitset.Count > 0)
        {
            return new Part(bitset, Owned: true);
        }

        _pool.Push(bitset);
        return default;
    }

    private static void CopyInto(BitsetContainer source, BitsetContainer into)
    {
        if (!ReferenceEquals(source, into))
        {
            Array.Copy(source.Words, into.Words, BitsetOps.Words);
            into.Count = source.Count;
        }
    }

    private BitsetContainer Rent() => _pool.TryPop(out BitsetContainer? bitset) ? bitset : new BitsetContainer(new ulong[BitsetOps.Words], 0);

    private void Release(Part part)
    {
        if (part.Owned)
        {
            _pool.Push((BitsetContainer)part.Container!);
        }
    }

    private void ReleaseUnless(Part part, BitsetContainer kept)
    {
        if (part.Owned && !ReferenceEquals(part.Container, kept))
        {
            _pool.Push((BitsetContainer)part.Container!);
        }
    }

    /// <summary>Releases the parts pushed from <paramref name="mark"/> on and pops them; returns the empty part.</summary>
    private Part ReleaseFrom(int mark)
    {
        for (int i = mark; i < _count; i++)
        {
            Release(_stack[i]);
        }

        _count = Math.Min(_count, mark);
        return default;
    }

    private void Push(Part part)
    {
        if (_count == _stack.Length)
        {
            Array.Resize(ref _stack, _stack.Length * 2);
        }

        _stack[_count++] = part;
    }

    private Node Compile(BitmapExpression expression, Dictionary<RoaringBitmap, Leaf> leaves, Dictionary<BitmapExpression, Node> nodes)
    {
        if (nodes.TryGetValue(expression, out Node? node))
        {
            return node;
        }

        switch (expression)
        {
            case BitmapOperand operand:
                if (!leaves.TryGetValue(operand.Bitmap, out Leaf? leaf))
                {
                    leaf = new Leaf(operand.Bitmap, leaves.Count);
                    leaves.Add(operand.Bitmap, leaf);
                }

                node = leaf;
                break;
            case UnionExpression union:
                node = new Union([.. union.Operands.Select(o => Compile(o, leaves, nodes))]);
                break;
            case IntersectionExpression intersection:
                // Operands first, nested expressions after: an empty operand container ends the key before any work.
                Node[] included = [.. intersection.Included.Select(o => Compile(o, leaves, nodes)).OrderBy(n => n is Leaf ? 0 : 1)];
                node = new Intersection(included, [.. intersection.Excluded.Select(o => Compile(o, leaves, nodes))]);
                break;
            default:
                throw new InvalidOperationException($"unknown bitmap expression {expression.GetType().Name}");
        }

        nodes.Add(expression, node);
        return node;
    }

    /// <summary>A node's result for one key; Owned: a pooled scratch bitset this evaluator may overwrite.</summary>
    private readonly record struct Part(Container? Container, bool Owned);

    /// <summary>A compiled node, with the keys where it may hold values (a 65536-bit set).</summary>
    private abstract class Node
    {
        public abstract ulong[] Support { get; }
    }

    private sealed class Leaf : Node
    {
        public Leaf(RoaringBitmap bitmap, int slot)
        {
            Bitmap = bitmap;
            Slot = slot;
            Support = new ulong[BitsetOps.Words];
            for (int i = 0; i < bitmap.ContainerCount; i++)
            {
                ushort key = bitmap.KeyAt(i);
                Support[key >> 6] |= 1UL << key;
            }
        }

        public RoaringBitmap Bitmap { get; }

        public int Slot { get; }

        public override ulong[] Support { get; }
    }

    private sealed class Union : Node
    {
        public Union(Node[] operands)
        {
            Operands = operands;
            Support = new ulong[BitsetOps.Words];
            foreach (Node operand in operands)
            {
                BitsetOps.Apply<OrOp>(Support, operand.Support, Support);
            }
        }

        public Node[] Operands { get; }

        public override ulong[] Support { get; }
    }

    private sealed class Intersection : Node
    {
        public Intersection(Node[] included, Node[] excluded)
        {
            Included = included;
            Excluded = excluded;
            Support = (ulong[])included[0].Support.Clone();
            foreach (Node operand in included.AsSpan(1))
            {
                BitsetOps.Apply<AndOp>(Support, operand.Support, Support);
            }
        }

        public Node[] Included { get; }

        public Node[] Excluded { get; }

        public override ulong[] Support { get; }
    }
}
