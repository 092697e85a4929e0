using System.Buffers.Binary;
using System.Numerics;

namespace AsyncRef.Traces.Format;

/// <summary>
/// CRC-32C (Castagnoli) of a chunk's records, the checksum of format 2: <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// uses the processor's CRC instruction where there is one, as the tracer does.
/// </summary>
internal static class Crc32C
{
    /// <summary>The checksum of <paramref name="payload"/>, whose length is a multiple of 8 (records are whole words).</summary>
    internal static uint Compute(ReadOnlySpan<byte> payload)
    {
        uint crc = 0xFFFFFFFF;
        for (int i = 0; i + 8 <= payload.Length; i += 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(payload[i..]));
        }

        return ~crc;
    }
}
