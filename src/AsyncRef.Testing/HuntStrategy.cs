namespace AsyncRef.Testing;

/// <summary>How Coyote chooses the next thread at each scheduling point.</summary>
public enum HuntStrategy
{
    /// <summary>
    /// A uniformly random choice at every scheduling point (the default): no thread is starved for long, so bounded
    /// retries (the liveness bound) are not mistaken for livelocks.
    /// </summary>
    Random,

    /// <summary>Coyote's tuned portfolio of strategies; its unfair members can starve a thread for thousands of steps.</summary>
    Portfolio,

    /// <summary>Priority-based: a few random priority changes per execution (PCT); good at deep ordering bugs.</summary>
    Prioritization,

    /// <summary>Keeps running the same thread with high probability, switching rarely.</summary>
    Probabilistic,

    /// <summary>A bounded number of delays injected into an otherwise fixed order.</summary>
    DelayBounding,
}
