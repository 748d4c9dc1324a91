public import ChatPanelProto

/// What a merge step gets: the two clients, who asked, and the request id that makes the
/// step's call idempotent (the same id on every attempt).
public struct MergeStepContext: Sendable {
    /// The workflow.
    public let workflowID: String
    /// The client that stays.
    public let survivorClientID: Int64
    /// The client merged into it.
    public let mergedClientID: Int64
    /// The manager who asked for the merge.
    public let caller: RPCV1.Caller
    /// A request id unique to this workflow and step.
    public let requestID: String
}

/// One step of a merge: a name and an idempotent action.
public struct MergeStep: Sendable {
    /// Shown in progress reports.
    public let name: String
    /// Runs the step; safe to run again after a crash or a failed attempt.
    public let run: @Sendable (MergeStepContext) async throws -> Void

    /// A step.
    public init(name: String, run: @escaping @Sendable (MergeStepContext) async throws -> Void) {
        self.name = name
        self.run = run
    }
}
