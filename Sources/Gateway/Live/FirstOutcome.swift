import Synchronization

/// Resumes a continuation with the first outcome offered and ignores the later ones (a send
/// racing its stall timeout and the call's cancellation). An outcome offered before the
/// continuation is given is kept and delivered when it is.
final class FirstOutcome: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Void, any Error>?
        var early: Result<Void, any Error>?
        var isDone = false
        var onResume: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    init() {}

    /// Gives the continuation to resume.
    func start(_ continuation: CheckedContinuation<Void, any Error>) {
        let early: Result<Void, any Error>? = state.withLock { state in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    /// Runs `action` once an outcome is in (at once if it is).
    func onResume(_ action: @escaping @Sendable () -> Void) {
        let done = state.withLock { state in
            if !state.isDone { state.onResume.append(action) }
            return state.isDone
        }
        if done { action() }
    }

    /// Resumes with `result` unless an earlier outcome did.
    func resume(with result: Result<Void, any Error>) {
        let (continuation, actions): (CheckedContinuation<Void, any Error>?, [@Sendable () -> Void]) = state.withLock { state in
            guard !state.isDone else { return (nil, []) }
            state.isDone = true
            if state.continuation == nil { state.early = result }
            defer {
                state.continuation = nil
                state.onResume = []
            }
            return (state.continuation, state.onResume)
        }
        continuation?.resume(with: result)
        for action in actions { action() }
    }
}
