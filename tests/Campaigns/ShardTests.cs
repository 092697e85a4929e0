namespace AsyncRef.Campaigns.Tests;

public sealed class ShardTests
{
    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/16", 3, 16)]
    [InlineData("15/16", 15, 16)]
    public void Parse_ReadsIndexAndCount(string text, int index, int count) => Assert.Equal(new Shard(index, count), Shard.Parse(text));

    [Theory]
    [InlineData("16/16")]
    [InlineData("1/0")]
    [InlineData("-1/4")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("1/2/3")]
    public void Parse_RejectsWhatIsNoShard(string text) => Assert.Throws<FormatException>(() => Shard.Parse(text));

    [Fact]
    public void Shards_PartitionTheIndexes()
    {
        var shards = Enumerable.Range(0, 5).Select(i => new Shard(i, 5)).ToArray();
        for (long index = 0; index < 200; index++)
        {
            Assert.Single(shards, s => s.Owns(index));
        }
    }
}
