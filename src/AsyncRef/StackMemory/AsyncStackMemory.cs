namespace AsyncRef;

/// <summary>
/// A fibre-stack allocator, <c>void *(*ASYNC_stack_alloc_fn)(size_t *num)</c> (OpenSSL 3.2 and later).
/// </summary>
/// <param name="size">In: the size OpenSSL asks for (<see cref="AsyncStackMemory.StackSize"/>). Out: the size the allocator really gave.</param>
/// <returns>The stack, or null when it cannot be allocated (the job is then not created).</returns>
public delegate object? AsyncStackAlloc(ref nuint size);

/// <summary>A fibre-stack free function, <c>void (*ASYNC_stack_free_fn)(void *addr)</c> (OpenSSL 3.2 and later).</summary>
/// <param name="stack">A stack an <see cref="AsyncStackAlloc"/> returned.</param>
public delegate void AsyncStackFree(object? stack);

/// <summary>
/// The process-wide stack functions of <c>ASYNC_set_mem_functions</c> / <c>ASYNC_get_mem_functions</c> (OpenSSL 3.2
/// and later, profile <see cref="AsyncProfile.OpenSsl32"/>): every job's stack is allocated and freed through them.
/// They may be replaced only until the first stack of the process has been allocated; after that,
/// <see cref="Async.SetMemFunctions"/> returns 0 for ever. Reference jobs run on continuations, not on their own
/// stacks, so the default functions hand out a token, never memory.
/// </summary>
/// <remarks>
/// A "process" is an instance of this class: <see cref="Process"/> is the one every thread shares unless it chose
/// another through <see cref="Async.ThreadStackMemory"/>. A scenario run gives its threads a fresh one, since each run
/// is one process for an adapter over libcrypto.
/// </remarks>
public sealed class AsyncStackMemory
{
    /// <summary>The stack size OpenSSL asks its allocator for (<c>STACKSIZE</c> in <c>async_posix.c</c>): 32 KiB.</summary>
    public const int StackSize = 32768;

    /// <summary>The token the default allocator hands out for every stack.</summary>
    private static readonly object s_defaultStack = new();

    /// <summary>Guards <see cref="_customisable"/> against a set racing the first allocation, as OpenSSL's lock does.</summary>
    private readonly object _gate = new();

    private AsyncStackAlloc _alloc = DefaultAlloc;
    private AsyncStackFree _free = DefaultFree;

    /// <summary>Cleared, for ever, before the first stack is allocated (even when that allocation fails).</summary>
    private bool _customisable = true;

    /// <summary>OpenSSL's default allocator (<c>OPENSSL_malloc(*num)</c>): what <see cref="Async.GetMemFunctions"/> returns before any set.</summary>
    public static AsyncStackAlloc DefaultAlloc { get; } = static (ref nuint size) => s_defaultStack;

    /// <summary>OpenSSL's default free function (<c>OPENSSL_free</c>).</summary>
    public static AsyncStackFree DefaultFree { get; } = static stack => { };

    /// <summary>
    /// The stack functions every thread uses unless it was given others through <see cref="Async.ThreadStackMemory"/>
    /// (declared after the defaults, which it starts with: static initialisers run in declaration order).
    /// </summary>
    public static AsyncStackMemory Process { get; } = new();

    /// <summary><c>ASYNC_set_mem_functions</c>: a null function keeps the current one.</summary>
    internal int Set(AsyncStackAlloc? alloc, AsyncStackFree? free)
    {
        lock (_gate)
        {
            if (!_customisable)
            {
                return 0;
            }

            _alloc = alloc ?? _alloc;
            _free = free ?? _free;
            return 1;
        }
    }

    /// <summary><c>ASYNC_get_mem_functions</c>.</summary>
    internal (AsyncStackAlloc Alloc, AsyncStackFree Free) Get()
    {
        lock (_gate)
        {
            return (_alloc, _free);
        }
    }

    /// <summary>A new job's stack (<c>async_fibre_makecontext</c>), or null: the job is then not created.</summary>
    internal object? AllocateStack()
    {
        AsyncStackAlloc alloc;
        lock (_gate)
        {
            // OpenSSL forbids customisation before it calls the allocator, so a failed allocation forbids it too.
            _customisable = false;
            alloc = _alloc;
        }

        nuint size = StackSize;
        return alloc(ref size);
    }

    /// <summary>Frees a job's stack through the current free function (<c>async_fibre_free</c>).</summary>
    internal void FreeStack(object? stack)
    {
        AsyncStackFree free;
        lock (_gate)
        {
            free = _free;
        }

        free(stack);
    }
}
