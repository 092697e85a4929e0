namespace AsyncRef;

/// <summary>Results of <c>Async.StartJob</c>, with the values of OpenSSL's <c>ASYNC_ERR</c> … <c>ASYNC_FINISH</c>.</summary>
public enum AsyncResult
{
    /// <summary><c>ASYNC_ERR</c>: the job could not be started or resumed.</summary>
    Err = 0,

    /// <summary><c>ASYNC_NO_JOBS</c>: the thread's pool has no idle job and may not create another.</summary>
    NoJobs = 1,

    /// <summary><c>ASYNC_PAUSE</c>: the job paused; the handle now holds it.</summary>
    Pause = 2,

    /// <summary><c>ASYNC_FINISH</c>: the job function returned; <c>ret</c> holds its value and the handle is null.</summary>
    Finish = 3,
}

/// <summary>The <c>ASYNC_STATUS_*</c> values a wait context's status mailbox conventionally holds (any int is accepted).</summary>
public static class AsyncWaitStatus
{
    /// <summary><c>ASYNC_STATUS_UNSUPPORTED</c>, the default: the producer does not use the callback mechanism.</summary>
    public const int Unsupported = 0;

    /// <summary><c>ASYNC_STATUS_ERR</c>: a fatal error; the application should clean up.</summary>
    public const int Err = 1;

    /// <summary><c>ASYNC_STATUS_OK</c>: the request was submitted; a callback will follow.</summary>
    public const int Ok = 2;

    /// <summary><c>ASYNC_STATUS_EAGAIN</c>: a transient problem; the application should resume the job itself.</summary>
    public const int EAgain = 3;
}

/// <summary>Which OpenSSL release line's behaviour a thread's runtime reproduces.</summary>
public enum AsyncProfile
{
    /// <summary>libcrypto 3.0.19 (the default): callback/status API present; <c>args != NULL, size == 0</c> passes NULL.</summary>
    OpenSsl30 = 0,

    /// <summary>libcrypto 1.1.1w: no callback/status API; <c>args != NULL, size == 0</c> fails with <c>ERR</c> and <c>MALLOC_FAILURE</c>.</summary>
    OpenSsl111 = 1,

    /// <summary>
    /// libcrypto 3.2 and later (3.5.7, 3.6.3, 4.0.2): <see cref="OpenSsl30"/> plus the stack functions
    /// <see cref="Async.SetMemFunctions"/> and <see cref="Async.GetMemFunctions"/>.
    /// </summary>
    OpenSsl32 = 2,
}
