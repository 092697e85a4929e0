namespace AsyncRef.Testing.Recording;

/// <summary>A source line of an ASYNC call, kept as its parts so that exploration formats nothing.</summary>
internal readonly record struct Site(string File, int Line)
{
    public override string ToString() => File.Length == 0 ? "?" : $"{Path.GetFileName(File)}:{Line}";
}
