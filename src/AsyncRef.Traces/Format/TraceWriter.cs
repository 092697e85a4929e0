using System.Buffers.Binary;

namespace AsyncRef.Traces.Format;

/// <summary>
/// Writes a version-1 trace exactly as the tracer does (header, checksummed chunks of seq-ordered records). Used by
/// the synthetic trace generator and by tests that build traces the tracer cannot produce (damaged ones).
/// </summary>
internal sealed class TraceWriter : IDisposable
{
    private const int ChunkPayload = 64 * 1024;
    private readonly Stream _stream;
    private readonly byte[] _chunk = new byte[TraceFormat.ChunkHeaderSize + ChunkPayload];
    private readonly HashSet<uint> _threads = [];
    private int _used;
    private int _records;
    private ulong _seq;

    internal TraceWriter(Stream stream, string program)
    {
        _stream = stream;
        Span<byte> header = stackalloc byte[TraceFormat.HeaderSize];
        header.Clear();
        TraceFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], TraceFormat.VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], TraceFormat.VersionMinor);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], TraceFormat.HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)Environment.ProcessId);
        _stream.Write(header);
        WriteString(RecordKind.Program, [], program);
    }

    /// <summary>Records written so far.</summary>
    internal ulong Count => _seq;

    internal void Call(uint thread, TraceFunction function, params ReadOnlySpan<ulong> values) => Write(RecordKind.Call, function, thread, values);

    internal void Return(uint thread, TraceFunction function, params ReadOnlySpan<ulong> values) => Write(RecordKind.Return, function, thread, values);

    /// <summary>Writes one record, registering its thread first if needed.</summary>
    internal void Write(RecordKind kind, TraceFunction function, uint thread, ReadOnlySpan<ulong> values)
    {
        if (kind is not (RecordKind.Module or RecordKind.Program or RecordKind.End or RecordKind.Thread) && _threads.Add(thread))
        {
            WriteRaw(RecordKind.Thread, TraceFunction.None, thread, [thread + 1000]);
        }

        WriteRaw(kind, function, thread, values);
    }

    /// <summary>Writes the END record and flushes.</summary>
    internal void End()
    {
        WriteRaw(RecordKind.End, TraceFunction.None, TraceFormat.MetaThread, [_seq + 1]);
        Flush();
    }

    /// <summary>Writes the buffered records as a chunk.</summary>
    internal void Flush()
    {
        if (_records == 0)
        {
            return;
        }

        Span<byte> header = _chunk.AsSpan(0, TraceFormat.ChunkHeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header, TraceFormat.ChunkMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)_used);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)_records);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Crc32C.Compute(_chunk.AsSpan(TraceFormat.ChunkHeaderSize, _used)));
        _stream.Write(_chunk, 0, TraceFormat.ChunkHeaderSize + _used);
        _used = 0;
        _records = 0;
    }

    public void Dispose()
    {
        Flush();
        _stream.Dispose();
    }

    private void WriteString(RecordKind kind, ReadOnlySpan<ulong> prefix, string text)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var values = new ulong[prefix.Length + 1 + ((bytes.Length + 7) / 8)];
        prefix.CopyTo(values);
        values[prefix.Length] = (ulong)bytes.Length;
        for (int i = 0; i < bytes.Length; i++)
        {
            values[prefix.Length + 1 + (i / 8)] |= (ulong)bytes[i] << (8 * (i % 8));
        }

        WriteRaw(kind, TraceFunction.None, TraceFormat.MetaThread, values);
    }

    private void WriteRaw(RecordKind kind, TraceFunction function, uint thread, ReadOnlySpan<ulong> values)
    {
        int size = TraceFormat.RecordHeaderSize + (8 * values.Length);
        if (_used + size > ChunkPayload)
        {
            Flush();
        }

        Span<byte> record = _chunk.AsSpan(TraceFormat.ChunkHeaderSize + _used, size);
        record[0] = (byte)kind;
        record[1] = (byte)function;
        BinaryPrimitives.WriteUInt16LittleEndian(record[2..], (ushort)values.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], thread);
        BinaryPrimitives.WriteUInt64LittleEndian(record[8..], _seq++);
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(record[(TraceFormat.RecordHeaderSize + (8 * i))..], values[i]);
        }

        _used += size;
        _records++;
    }
}
