namespace AsyncRef.Property;

/// <summary>
/// An executable transcription of the wait-context pseudo-code in the facts (§4.1), written independently of the
/// runtime: a newest-first list with add/del flags and two counters.
/// </summary>
internal sealed class FdModel
{
    private sealed class Entry(int key, int fd)
    {
        public int Key { get; } = key;

        public int Fd { get; } = fd;

        public bool Add { get; set; } = true;

        public bool Del { get; set; }
    }

    /// <summary>Head = newest.</summary>
    private readonly LinkedList<Entry> _list = new();
    private readonly FdModelVariant _variant;
    private int _numAdd;
    private int _numDel;

    public FdModel(FdModelVariant variant) => _variant = variant;

    public void Set(int key, int fd)
    {
        _list.AddFirst(new Entry(key, fd));
        _numAdd++;
    }

    public bool Clear(int key)
    {
        for (LinkedListNode<Entry>? node = _list.First; node is not null; node = node.Next)
        {
            Entry e = node.Value;
            if (e.Del || e.Key != key)
            {
                continue;
            }

            if (e.Add && _variant == FdModelVariant.Facts)
            {
                _list.Remove(node);
                _numAdd--;
            }
            else
            {
                e.Add = false;
                e.Del = true;
                _numDel++;
            }

            return true;
        }

        return false;
    }

    public void Reset()
    {
        _numAdd = 0;
        _numDel = 0;
        LinkedListNode<Entry>? node = _list.First;
        while (node is not null)
        {
            LinkedListNode<Entry>? next = node.Next;
            if (node.Value.Del)
            {
                _list.Remove(node);
            }
            else
            {
                node.Value.Add = false;
            }

            node = next;
        }
    }

    public int? GetFd(int key) => _list.FirstOrDefault(e => !e.Del && e.Key == key)?.Fd;

    public FdObservation Observe() => new(
        _list.Where(e => !e.Del).Select(e => e.Fd).ToArray(),
        _list.Where(e => e.Add && !e.Del).Select(e => e.Fd).ToArray(),
        _list.Where(e => e.Del && !e.Add).Select(e => e.Fd).ToArray(),
        _numAdd,
        _numDel,
        Enumerable.Range(0, FdScript.KeyCount).Select(GetFd).ToArray());

    /// <summary>The cleanups <c>ASYNC_WAIT_CTX_free</c> calls: live entries, newest first.</summary>
    public int[] CleanupsAtFree() => _list.Where(e => !e.Del).Select(e => e.Fd).ToArray();
}

/// <summary>What the application can see of a wait context.</summary>
internal sealed record FdObservation(int[] All, int[] Added, int[] Deleted, int NumAdd, int NumDel, int?[] FdByKey)
{
    public bool SameAs(FdObservation other) =>
        All.SequenceEqual(other.All) && Added.SequenceEqual(other.Added) && Deleted.SequenceEqual(other.Deleted)
        && NumAdd == other.NumAdd && NumDel == other.NumDel && FdByKey.SequenceEqual(other.FdByKey);

    public override string ToString() =>
        $"all=[{string.Join(" ", All)}] add=[{string.Join(" ", Added)}]/{NumAdd} del=[{string.Join(" ", Deleted)}]/{NumDel} "
        + $"get_fd=[{string.Join(" ", FdByKey.Select(f => f?.ToString() ?? "-"))}]";
}
