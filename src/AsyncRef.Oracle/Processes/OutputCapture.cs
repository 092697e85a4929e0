namespace AsyncRef.Oracle.Processes;

/// <summary>Reads a stream to its end in the background, keeping at most a limit of bytes.</summary>
internal sealed class OutputCapture(Stream stream, int limit, bool killWhenFull)
{
    private readonly object _lock = new();
    private readonly TaskCompletionSource _full = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _buffer = new byte[Math.Min(limit, 64 << 10)];
    private int _length;

    /// <summary>Completes when the limit is exceeded and <c>killWhenFull</c>: the run must end.</summary>
    public Task Full => _full.Task;

    /// <summary>Completes when the stream ends (or when reading stops after an overflow).</summary>
    public Task Done { get; private set; } = Task.CompletedTask;

    public bool Overflowed { get; private set; }

    public void Start() => Done = Task.Run(Pump);

    /// <summary>What was kept so far (safe while reading goes on).</summary>
    public byte[] Snapshot()
    {
        lock (_lock)
        {
            return _buffer.AsSpan(0, _length).ToArray();
        }
    }

    private async Task Pump()
    {
        byte[] chunk = new byte[16 << 10];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk).ConfigureAwait(false)) > 0)
            {
                lock (_lock)
                {
                    int keep = Math.Min(read, limit - _length);
                    if (keep > 0)
                    {
                        if (_length + keep > _buffer.Length)
                        {
                            Array.Resize(ref _buffer, (int)Math.Min(limit, Math.Max(_length + keep, 2L * _buffer.Length)));
                        }

                        chunk.AsSpan(0, keep).CopyTo(_buffer.AsSpan(_length));
                        _length += keep;
                    }

                    if (keep < read && killWhenFull)
                    {
                        Overflowed = true;
                    }
                }

                if (Overflowed)
                {
                    _full.TrySetResult();
                    return; // the run is being killed; stop reading
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe broke: what was read is kept.
        }
    }
}
