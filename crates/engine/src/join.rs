//! [`Join`]: how the engine runs two independent pieces of work, on one
//! thread or on two, without starting threads itself.

/// Runs two independent pieces of work and returns both results. The
/// engine never starts threads (it runs in a browser worker too); the CLI
/// passes a `Join` that runs the second piece on a thread of its own.
pub trait Join {
    /// Whether the two pieces can run at the same time: work split only to
    /// be shared out is not split for a `Join` that runs them in turn.
    const SHARES: bool = true;

    /// Runs `a` and `b`, perhaps at the same time.
    fn join<A: Send, B: Send>(
        &self,
        a: impl FnOnce() -> A + Send,
        b: impl FnOnce() -> B + Send,
    ) -> (A, B);
}

/// Runs both pieces one after the other, on the calling thread.
pub struct InTurn;

impl Join for InTurn {
    const SHARES: bool = false;

    fn join<A: Send, B: Send>(
        &self,
        a: impl FnOnce() -> A + Send,
        b: impl FnOnce() -> B + Send,
    ) -> (A, B) {
        (a(), b())
    }
}
