using AsyncRef;
using AsyncRef.Testing;

namespace HuntYourEngine;

/// <summary>
/// A toy offload engine: a job hands a request to the engine's worker thread, pauses, and is resumed when the
/// worker fires the wait ctx's callback. <paramref name="publishesDoneBeforeResult"/> plants a bug: the worker
/// marks the request done and stores its result in two separate steps, so a job resumed in between reads a result
/// that is not there yet.
/// </summary>
public sealed class ToyEngine(bool publishesDoneBeforeResult)
{
    private readonly object _gate = new();
    private readonly Queue<Request> _queue = new();
    private bool _stopping;

    private sealed class Request(int input, AsyncWaitCtx ctx, AsyncWaitCallback callback, object? arg)
    {
        public int Input { get; } = input;

        public AsyncWaitCtx Ctx { get; } = ctx;

        public AsyncWaitCallback Callback { get; } = callback;

        public object? Arg { get; } = arg;

        public bool Done { get; set; }

        public int Result { get; set; }
    }

    /// <summary>Inside a job: squares <paramref name="input"/> on the worker thread.</summary>
    public async JobTask<int> SquareAsync(int input)
    {
        AsyncWaitCtx ctx = TracedAsync.GetWaitCtx(TracedAsync.GetCurrentJob())!;
        AsyncWaitCallback? callback = null;
        object? arg = null;
        TracedAsync.GetCallback(ctx, ref callback, ref arg);
        var request = new Request(input, ctx, callback!, arg);
        lock (_gate)
        {
            _queue.Enqueue(request);
            Monitor.PulseAll(_gate);
        }

        TracedAsync.SetStatus(ctx, AsyncWaitStatus.Ok);
        while (true)
        {
            lock (_gate)
            {
                if (request.Done)
                {
                    return request.Result;
                }
            }

            await TracedAsync.PauseJob();
        }
    }

    /// <summary>The worker thread: serves requests until <see cref="Stop"/>.</summary>
    public void Work()
    {
        while (true)
        {
            Request request;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }

                if (_queue.Count == 0)
                {
                    return;
                }

                request = _queue.Dequeue();
            }

            int result = request.Input * request.Input;
            lock (_gate)
            {
                // Done, result and callback in one step: the job cannot see one without the others.
                request.Done = true;
                if (!publishesDoneBeforeResult)
                {
                    request.Result = result;
                }

                TracedAsync.InvokeCallback(request.Ctx, request.Callback, request.Arg);
            }

            if (publishesDoneBeforeResult)
            {
                // The planted bug: the result lands after the job may already have been resumed.
                lock (_gate)
                {
                    request.Result = result;
                }
            }
        }
    }

    /// <summary>Lets <see cref="Work"/> return once the queue is empty.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
    }
}
