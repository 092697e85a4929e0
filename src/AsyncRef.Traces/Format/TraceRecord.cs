namespace AsyncRef.Traces.Format;

/// <summary>
/// One record, as the reader last decoded it. The reader reuses the object (streaming, no allocation per record),
/// so a consumer copies what it keeps before reading the next record.
/// </summary>
internal sealed class TraceRecord
{
    private ulong[] _values = new ulong[16];

    /// <summary>The 1-based position of the record in the file (its sequence number + 1).</summary>
    internal long Number { get; set; }

    internal RecordKind Kind { get; set; }

    internal TraceFunction Function { get; set; }

    /// <summary>The logical thread (<see cref="TraceFormat.MetaThread"/> for the tracer's own records).</summary>
    internal uint Thread { get; set; }

    internal int Count { get; private set; }

    internal ReadOnlySpan<ulong> Values => _values.AsSpan(0, Count);

    internal ulong this[int index] => _values[index];

    /// <summary>The call site of a CALL record (the return address in the caller).</summary>
    internal ulong Site => _values[0];

    internal int Int(int index) => unchecked((int)(long)_values[index]);

    internal Span<ulong> Resize(int count)
    {
        if (_values.Length < count)
        {
            _values = new ulong[Math.Max(count, _values.Length * 2)];
        }

        Count = count;
        return _values.AsSpan(0, count);
    }

    /// <summary>The string a PROGRAM or MODULE record carries after <paramref name="prefix"/> values.</summary>
    internal string Text(int prefix)
    {
        int length = (int)Math.Min(_values[prefix], (ulong)((Count - prefix - 1) * 8));
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(_values[prefix + 1 + (i / 8)] >> (8 * (i % 8)));
        }

        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    internal TraceRecord Clone()
    {
        var copy = new TraceRecord { Number = Number, Kind = Kind, Function = Function, Thread = Thread };
        Values.CopyTo(copy.Resize(Count));
        return copy;
    }
}
