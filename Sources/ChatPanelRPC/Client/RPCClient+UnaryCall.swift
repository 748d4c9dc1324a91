import ChatPanelProto
import Synchronization

extension RPCClient {
    /// A unary call under way, made by ``RPCClient/start(path:payload:options:onCompletion:)``:
    /// written before `start` returns, its answer kept until ``answer()`` takes it.
    ///
    /// Several calls started one after the other are under way together, and awaiting them in
    /// turn takes as long as the slowest, without a task for each: a caller that fans out to
    /// several services (the gateway's panel) needs no task group, whose child tasks cost more
    /// than the calls themselves. An answer that came before ``answer()`` is asked for is taken
    /// without suspending.
    ///
    /// Every call completes exactly once: answered, failed (the service's status, the
    /// connection, its deadline) or cancelled (``cancel()``, or the task awaiting it cancelled).
    /// A call started and never awaited must be cancelled, or it holds its slot on the
    /// connection until its answer or its deadline comes.
    public final class UnaryCall: Sendable {
        private enum Outcome {
            /// Not answered, and nobody waits.
            case pending
            /// Not answered; the awaiting task waits here.
            case awaited(UnsafeContinuation<[UInt8], any Error>)
            /// Answered (or failed), not yet taken.
            case answered(Result<[UInt8], any Error>)
            /// Answered, and the answer given to the one who awaited it.
            case taken
        }

        private struct State {
            var outcome = Outcome.pending
            /// Where the call is, once written (or queued) on a connection: what cancelling it needs.
            var placed: (connection: ClientConnection, id: UInt64)?
            /// When it completed.
            var completedAt: ContinuousClock.Instant?
        }

        private let state = Mutex(State())
        /// Told once, when the call completes (on the connection's loop, or on the starting
        /// thread for a call that fails before it is written).
        private let onCompletion: (@Sendable (Result<[UInt8], any Error>) -> Void)?

        init(onCompletion: (@Sendable (Result<[UInt8], any Error>) -> Void)?) {
            self.onCompletion = onCompletion
        }

        /// A call that failed before it was made (its request did not encode, say): awaiting it
        /// throws `error`.
        public convenience init(failed error: any Error) {
            self.init(onCompletion: nil)
            complete(.failure(error))
        }

        /// The answer's payload, waiting for it when it has not come yet. Cancelling the
        /// awaiting task cancels the call (`CANCELLED`, and a CANCEL to the service).
        /// - Throws: what ``RPCClient/unary(path:payload:options:)`` throws. An answer is
        ///   given once: awaiting it again throws `FAILED_PRECONDITION`.
        public func answer() async throws -> [UInt8] {
            if let ready = takeIfAnswered() { return try ready.get() }
            return try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<[UInt8], any Error>) in
                    let ready: Result<[UInt8], any Error>? = state.withLock { state in
                        switch state.outcome {
                        case .pending:
                            state.outcome = .awaited(continuation)
                            return nil
                        case .answered(let result):
                            state.outcome = .taken
                            return result
                        case .awaited, .taken:
                            return .failure(Self.takenAlready)
                        }
                    }
                    if let ready { continuation.resume(with: ready) }
                }
            } onCancel: {
                cancel()
            }
        }

        /// When the call completed (its answer or its failure came); nil while it is under way.
        public var completedAt: ContinuousClock.Instant? { state.withLock { $0.completedAt } }

        /// Gives up on the call: unless it has completed, it completes `CANCELLED` and the
        /// service is sent a CANCEL. Cancelling twice, or after the answer, does nothing.
        public func cancel() {
            enum Step { case nothing, cancelOnConnection(ClientConnection, UInt64), completeNow }
            let step: Step = state.withLock { state in
                switch state.outcome {
                case .answered, .taken: return .nothing
                case .pending, .awaited:
                    guard let placed = state.placed else { return .completeNow }
                    return .cancelOnConnection(placed.connection, placed.id)
                }
            }
            switch step {
            case .nothing: return
            case .cancelOnConnection(let connection, let id): connection.cancel(id: id)
            // Not on its connection yet (being made, or the start queued on its loop): it
            // completes now, and is not written when it gets there (``place(on:id:)``).
            case .completeNow: complete(.failure(RPCError(code: .cancelled, message: "the call was cancelled")))
            }
        }

        /// Records where the call is about to be written (on the connection's loop, just before
        /// it is); false when it completed already (cancelled before it got there): then it is
        /// not to be written.
        func place(on connection: ClientConnection, id: UInt64) -> Bool {
            state.withLock { state in
                switch state.outcome {
                case .pending, .awaited:
                    state.placed = (connection, id)
                    return true
                case .answered, .taken:
                    return false
                }
            }
        }

        /// Completes the call, once: a later completion (a cancel racing the answer) is ignored.
        func complete(_ result: Result<[UInt8], any Error>) {
            let now = ContinuousClock.now
            let (first, waiter): (Bool, UnsafeContinuation<[UInt8], any Error>?) = state.withLock { state in
                switch state.outcome {
                case .pending:
                    state.outcome = .answered(result)
                    state.completedAt = now
                    return (true, nil)
                case .awaited(let continuation):
                    state.outcome = .taken
                    state.completedAt = now
                    return (true, continuation)
                case .answered, .taken:
                    return (false, nil)
                }
            }
            guard first else { return }
            onCompletion?(result)
            waiter?.resume(with: result)
        }

        private func takeIfAnswered() -> Result<[UInt8], any Error>? {
            state.withLock { state in
                guard case .answered(let result) = state.outcome else { return nil }
                state.outcome = .taken
                return result
            }
        }

        private static var takenAlready: RPCError {
            RPCError(code: .failedPrecondition, message: "the call's answer was taken already")
        }
    }
}
