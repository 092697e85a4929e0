using AsyncRef.Traces.Format;

namespace AsyncRef.Traces.Tests.Format;

/// <summary>The chunk checksum is the standard CRC-32C: RFC 3720 (iSCSI), appendix B.4 test vectors.</summary>
public sealed class Crc32CTests
{
    [Fact]
    public void ThirtyTwoZeroBytes() => Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));

    [Fact]
    public void ThirtyTwoOnes() => Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));

    [Fact]
    public void IncreasingBytes() =>
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
}
