using System.Buffers.Binary;
using System.Text.RegularExpressions;
using AsyncRef.Traces.Format;

namespace AsyncRef.Traces.Tests.Format;

/// <summary>Every kind of damaged or foreign file is one <c>FILE:RECORD: message</c> line and exit 2, for both commands.</summary>
public sealed class BadTraceTests
{
    private static byte[] ValidTrace() => File.ReadAllBytes(TraceFiles.Write(TraceFiles.PauseOnce));

    private static void AssertBadTrace(byte[] bytes, string expectedRecord, string expectedText)
    {
        string path = TraceFiles.Temp("bad.trace");
        File.WriteAllBytes(path, bytes);
        foreach ((int exit, string stdout, string stderr) in new[] { TraceFiles.Check(path), TraceFiles.Check(path, json: true), TraceFiles.ToScenario(path) })
        {
            Assert.Equal(2, exit);
            Assert.Matches($"^{Regex.Escape(path)}:{expectedRecord}: ", stderr);
            Assert.Contains(expectedText, stderr, StringComparison.Ordinal);
            Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ForeignFile_IsNotATrace() =>
        AssertBadTrace("#!/bin/sh\necho hello\n"u8.ToArray(), "0", "not an AsyncRef trace");

    [Fact]
    public void EmptyFile_IsNotATrace() => AssertBadTrace([], "0", "not an AsyncRef trace");

    [Fact]
    public void FutureMajorVersion_IsRejected()
    {
        byte[] bytes = ValidTrace();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 3);
        AssertBadTrace(bytes, "0", "version 3.0 is not supported");
    }

    [Fact]
    public void Version1Trace_IsRejected_ItsChecksumsAreNotCrc32C()
    {
        byte[] bytes = ValidTrace();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 1);
        AssertBadTrace(bytes, "0", "version 1.0 is not supported");
    }

    [Fact]
    public void TruncatedInsideAChunk_NamesTheFirstRecordOfTheChunk()
    {
        byte[] bytes = ValidTrace();
        // The header and the PROGRAM chunk are intact; the file ends inside the next chunk.
        int cut = bytes.Length - 40;
        AssertBadTrace(bytes[..cut], "1", "truncated");
    }

    [Fact]
    public void TruncatedInsideTheHeader_IsReported() => AssertBadTrace(ValidTrace()[..20], "0", "truncated header");

    [Fact]
    public void FlippedByte_FailsTheChecksum()
    {
        byte[] bytes = ValidTrace();
        bytes[^30] ^= 0x10;
        AssertBadTrace(bytes, "1", "checksum");
    }

    [Fact]
    public void SwappedRecords_AreOutOfOrder()
    {
        byte[] bytes = ValidTrace();
        // One chunk holds every record here (the writer flushes at 64 KiB): swap two 24-byte records (one value each)
        // and recompute the checksum, so that only the sequence numbers show the damage.
        int chunk = TraceFormat.HeaderSize;
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(chunk + 4));
        Span<byte> payload = bytes.AsSpan(chunk + TraceFormat.ChunkHeaderSize, length);
        List<(int Offset, int Size)> records = [];
        for (int at = 0; at < payload.Length;)
        {
            int size = TraceFormat.RecordHeaderSize + (8 * BinaryPrimitives.ReadUInt16LittleEndian(payload[(at + 2)..]));
            records.Add((at, size));
            at += size;
        }

        (int a, int b) = FindTwoOfSize(records, 24);
        byte[] first = payload.Slice(records[a].Offset, 24).ToArray();
        payload.Slice(records[b].Offset, 24).CopyTo(payload.Slice(records[a].Offset, 24));
        first.CopyTo(payload.Slice(records[b].Offset, 24));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(chunk + 12), Crc32C.Compute(payload));
        AssertBadTrace(bytes, (a + 1).ToString(), "out of order");
    }

    [Fact]
    public void DataAfterTheEndRecord_IsRejected()
    {
        byte[] bytes = ValidTrace();
        byte[] extra = bytes[TraceFormat.HeaderSize..];
        AssertBadTrace([.. bytes, .. extra], "[0-9]+", "data after the END record");
    }

    [Fact]
    public void MissingFile_IsABadTraceNotACrash()
    {
        var stderr = new StringWriter();
        Assert.Equal(2, TraceTools.Check("/nonexistent/x.trace", new TraceCheckOptions(), new StringWriter(), stderr));
        Assert.Equal("/nonexistent/x.trace:0: cannot read the trace: no such file\n", stderr.ToString());
    }

    private static (int, int) FindTwoOfSize(List<(int Offset, int Size)> records, int size)
    {
        int[] found = records.Select((r, i) => (r, i)).Where(x => x.r.Size == size).Select(x => x.i).Take(2).ToArray();
        Assert.Equal(2, found.Length);
        return (found[0], found[1]);
    }
}
