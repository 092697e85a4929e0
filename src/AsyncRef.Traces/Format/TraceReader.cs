using System.Buffers.Binary;

namespace AsyncRef.Traces.Format;

/// <summary>
/// Streams a trace file record by record, one chunk (at most <see cref="TraceFormat.MaxChunkPayload"/> bytes) in
/// memory at a time, and validates everything the format defines: magic, version, chunk checksums, record shapes,
/// gap-free sequence numbers, thread registration and the END record. Any violation is a
/// <see cref="TraceFormatException"/> naming the record.
/// </summary>
internal sealed class TraceReader : IDisposable
{
    private readonly Stream _stream;
    private readonly string _name;
    private readonly byte[] _chunkHeader = new byte[TraceFormat.ChunkHeaderSize];
    private readonly HashSet<uint> _threads = [];
    private byte[] _chunk = new byte[64 * 1024];
    private int _chunkLength;
    private int _chunkPosition;
    private int _chunkRecordsLeft;
    private long _nextNumber = 1;
    private bool _ended;

    internal TraceReader(Stream stream, string name)
    {
        _stream = stream;
        _name = name;
        ReadHeader();
    }

    /// <summary>The traced process's id.</summary>
    internal uint ProcessId { get; private set; }

    /// <summary>The minor version of the file (this reader reads every 1.x).</summary>
    internal ushort VersionMinor { get; private set; }

    /// <summary>Whether the END record was read: the program exited normally and the file is complete.</summary>
    internal bool Ended => _ended;

    /// <summary>Records read so far.</summary>
    internal long RecordsRead => _nextNumber - 1;

    /// <summary>Logical threads registered so far.</summary>
    internal int ThreadCount => _threads.Count;

    internal static TraceReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan), path);

    /// <summary>Reads the next record into <paramref name="record"/>.</summary>
    /// <returns>False at the end of the file (after the END record, or at a chunk boundary of a file without one).</returns>
    internal bool Read(TraceRecord record)
    {
        while (_chunkRecordsLeft == 0)
        {
            if (_chunkPosition != _chunkLength)
            {
                throw Error(_nextNumber - 1, "the chunk holds more bytes than its records");
            }

            if (!ReadChunk())
            {
                return false;
            }
        }

        Decode(record);
        return true;
    }

    public void Dispose() => _stream.Dispose();

    internal TraceFormatException Error(long record, string message) => new(_name, record, message);

    private void ReadHeader()
    {
        Span<byte> header = stackalloc byte[TraceFormat.HeaderSize];
        int read = _stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read < 8 || !header[..8].SequenceEqual(TraceFormat.Magic))
        {
            throw Error(0, "not an AsyncRef trace (the file does not start with ASRTRACE)");
        }

        if (read < TraceFormat.HeaderSize)
        {
            throw Error(0, "truncated header");
        }

        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        VersionMinor = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (major != TraceFormat.VersionMajor)
        {
            throw Error(0, $"trace format version {major}.{VersionMinor} is not supported (this reader reads 2.x; record the program again with this tracer)");
        }

        if (headerSize < TraceFormat.HeaderSize || headerSize > 4096)
        {
            throw Error(0, $"bad header size {headerSize}");
        }

        ProcessId = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        if (headerSize > TraceFormat.HeaderSize)
        {
            // A later 1.x header may be longer; the extra bytes are skipped.
            byte[] rest = new byte[headerSize - TraceFormat.HeaderSize];
            if (_stream.ReadAtLeast(rest, rest.Length, throwOnEndOfStream: false) < rest.Length)
            {
                throw Error(0, "truncated header");
            }
        }
    }

    private bool ReadChunk()
    {
        int got = _stream.ReadAtLeast(_chunkHeader, _chunkHeader.Length, throwOnEndOfStream: false);
        if (got == 0)
        {
            return false;
        }

        if (_ended)
        {
            throw Error(_nextNumber - 1, "data after the END record");
        }

        if (got < _chunkHeader.Length)
        {
            throw Error(_nextNumber, "truncated: the file ends inside a chunk header");
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(_chunkHeader);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(_chunkHeader.AsSpan(4));
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(_chunkHeader.AsSpan(8));
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(_chunkHeader.AsSpan(12));
        if (magic != TraceFormat.ChunkMagic)
        {
            throw Error(_nextNumber, "corrupted: no chunk starts here");
        }

        if (length > TraceFormat.MaxChunkPayload || length % 8 != 0 || count == 0 || (ulong)count * TraceFormat.RecordHeaderSize > length)
        {
            throw Error(_nextNumber, $"corrupted chunk header (length {length}, {count} records)");
        }

        if (_chunk.Length < length)
        {
            _chunk = new byte[length];
        }

        if (_stream.ReadAtLeast(_chunk.AsSpan(0, (int)length), (int)length, throwOnEndOfStream: false) < length)
        {
            throw Error(_nextNumber, "truncated: the file ends inside a chunk");
        }

        if (Crc32C.Compute(_chunk.AsSpan(0, (int)length)) != crc)
        {
            throw Error(_nextNumber, "corrupted: the chunk's checksum does not match its records");
        }

        _chunkLength = (int)length;
        _chunkPosition = 0;
        _chunkRecordsLeft = (int)count;
        return true;
    }

    private void Decode(TraceRecord record)
    {
        long number = _nextNumber;
        ReadOnlySpan<byte> chunk = _chunk.AsSpan(_chunkPosition, _chunkLength - _chunkPosition);
        if (chunk.Length < TraceFormat.RecordHeaderSize)
        {
            throw Error(number, "corrupted: the chunk ends inside a record");
        }

        var kind = (RecordKind)chunk[0];
        byte function = chunk[1];
        int count = BinaryPrimitives.ReadUInt16LittleEndian(chunk[2..]);
        uint thread = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
        ulong seq = BinaryPrimitives.ReadUInt64LittleEndian(chunk[8..]);
        int size = TraceFormat.RecordHeaderSize + (8 * count);
        if (chunk.Length < size)
        {
            throw Error(number, "corrupted: the chunk ends inside a record");
        }

        if (seq != (ulong)(number - 1))
        {
            throw Error(number, $"out of order: sequence number {seq} where {number - 1} was expected (records lost or reordered)");
        }

        if (_ended)
        {
            throw Error(number, "record after the END record");
        }

        Span<ulong> values = record.Resize(count);
        for (int i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt64LittleEndian(chunk.Slice(TraceFormat.RecordHeaderSize + (8 * i)));
        }

        record.Number = number;
        record.Kind = kind;
        record.Function = (TraceFunction)function;
        record.Thread = thread;
        Validate(record);
        _chunkPosition += size;
        _chunkRecordsLeft--;
        _nextNumber++;
    }

    private void Validate(TraceRecord r)
    {
        bool meta = r.Kind is RecordKind.Module or RecordKind.Program or RecordKind.End;
        if (meta != (r.Thread == TraceFormat.MetaThread) && r.Kind != RecordKind.Thread)
        {
            throw Error(r.Number, meta ? "a tracer record names a program thread" : $"record of unregistered thread {r.Thread}");
        }

        bool call = r.Kind is RecordKind.Call or RecordKind.Return;
        if (call ? !TraceFormat.IsFunction((byte)r.Function) : r.Function != TraceFunction.None)
        {
            throw Error(r.Number, $"unknown function number {(byte)r.Function} in a {r.Kind} record");
        }

        if (!meta && r.Kind != RecordKind.Thread && !_threads.Contains(r.Thread))
        {
            throw Error(r.Number, $"record of unregistered thread {r.Thread}");
        }

        int expected = r.Kind switch
        {
            RecordKind.Call => TraceFormat.CallValues(r.Function),
            RecordKind.Return => TraceFormat.ReturnValues(r.Function),
            RecordKind.BodyEnter => 2,
            RecordKind.BodyReturn => 1,
            RecordKind.CleanupEnter => 4,
            RecordKind.CleanupReturn => 0,
            RecordKind.Thread => 1,
            RecordKind.End => 1,
            RecordKind.Module or RecordKind.Program => -1,
            _ => throw Error(r.Number, $"unknown record kind {(byte)r.Kind}"),
        };
        if (expected >= 0 ? r.Count != expected : !VariableShapeOk(r))
        {
            throw Error(r.Number, $"corrupted: a {r.Kind} record of {Describe(r)} has {r.Count} values");
        }

        switch (r.Kind)
        {
            case RecordKind.Thread when !_threads.Add(r.Thread) || r.Thread == TraceFormat.MetaThread:
                throw Error(r.Number, $"thread {r.Thread} registered twice");
            case RecordKind.End when r[0] != (ulong)r.Number:
                throw Error(r.Number, $"the END record counts {r[0]} records, the file has {r.Number}");
            case RecordKind.End:
                _ended = true;
                break;
        }
    }

    private static string Describe(TraceRecord r) => r.Function == TraceFunction.None ? "the tracer" : TraceFormat.Name(r.Function);

    private static bool VariableShapeOk(TraceRecord r)
    {
        switch (r.Kind)
        {
            case RecordKind.Program:
                return r.Count >= 1 && r[0] <= (ulong)((r.Count - 1) * 8) && (r.Count - 1) == (int)((r[0] + 7) / 8);
            case RecordKind.Module:
                return r.Count >= 4 && r[3] <= (ulong)((r.Count - 4) * 8) && (r.Count - 4) == (int)((r[3] + 7) / 8);
            case RecordKind.Return when r.Function == TraceFunction.GetAllFds:
                return r.Count >= 2 && ((ulong)(r.Count - 2) == 0 || (ulong)(r.Count - 2) == r[1]);
            default: // get_changed_fds: both lists or neither may be present
                if (r.Count < 3)
                {
                    return false;
                }

                ulong listed = (ulong)(r.Count - 3);
                return listed == 0 || listed == r[1] || listed == r[2] || listed == r[1] + r[2];
        }
    }
}

/// <summary>A trace file that is not a well-formed trace: <c>FILE:RECORD: message</c>.</summary>
internal sealed class TraceFormatException(string file, long record, string detail)
    : Exception($"{file}:{record}: {detail}")
{
    internal long Record { get; } = record;
}
