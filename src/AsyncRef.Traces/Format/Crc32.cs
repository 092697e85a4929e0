namespace AsyncRef.Traces.Format;

/// <summary>
/// CRC-32 (IEEE 802.3, as zlib) of a chunk's records. Hand-written because the framework's implementation lives
/// in the System.IO.Hashing package, which is not available to this build; the table is the standard one.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] s_table = BuildTable();

    internal static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
