public import ChatPanelProto
import ChatPanelRPC
public import Logging
public import ServiceLifecycle

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

/// Runs merge workflows to the end, one step after another, and resumes the unfinished ones
/// when the gateway starts again. Progress is recorded in the gateway's database after every
/// attempt, so a crash loses at most the attempt in flight, which is then repeated (every
/// step is idempotent by its request id).
public final class MergeWorkflowRunner: Service, Sendable {
    private let store: GatewayStore
    private let steps: [MergeStep]
    private let logger: Logger
    private let wakeups: AsyncStream<String>
    private let wakeup: AsyncStream<String>.Continuation
    /// The longest wait between attempts at a step whose service is unavailable.
    private let maximumRetryDelay: Duration

    /// A runner for `steps`.
    public init(store: GatewayStore, steps: [MergeStep], maximumRetryDelay: Duration = .seconds(5), logger: Logger) {
        self.store = store
        self.steps = steps
        self.logger = logger
        self.maximumRetryDelay = maximumRetryDelay
        (wakeups, wakeup) = AsyncStream.makeStream(of: String.self)
    }

    /// The names of the steps, in order.
    public var stepNames: [String] { steps.map(\.name) }

    /// Records a new workflow (or finds the one of a retried request) and wakes the runner.
    public func start(
        survivorClientID: Int64, mergedClientID: Int64, caller: RPCV1.Caller, requestID: String
    ) async throws -> GatewayV1.MergeWorkflow {
        let workflow = try await store.createMergeWorkflow(
            survivorClientID: survivorClientID, mergedClientID: mergedClientID, caller: caller, requestID: requestID,
            stepNames: stepNames)
        if workflow.state == .running { wakeup.yield(workflow.workflowID) }
        return workflow
    }

    public func run() async throws {
        for id in try await store.runningMergeWorkflowIDs() {
            logger.notice("gateway.merge.resuming", metadata: ["chatpanel.merge.workflow_id": "\(id)"])
            wakeup.yield(id)
        }
        await withGracefulShutdownHandler {
            for await id in wakeups.cancelOnGracefulShutdown() {
                await drive(workflowID: id)
            }
        } onGracefulShutdown: {
            self.wakeup.finish()
        }
    }

    private func drive(workflowID: String) async {
        var failures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                guard let workflow = try await store.mergeWorkflow(id: workflowID), workflow.state == .running else { return }
                guard let position = workflow.steps.firstIndex(where: { !$0.done }) else { return }
                let context = MergeStepContext(
                    workflowID: workflowID, survivorClientID: workflow.survivorClientID, mergedClientID: workflow.mergedClientID,
                    caller: try await store.mergeWorkflowCaller(id: workflowID), requestID: "merge:\(workflowID):\(position)")
                do {
                    try await steps[position].run(context)
                    try await store.recordStepAttempt(workflowID: workflowID, position: position, error: nil, permanent: false)
                    logger.info(
                        "gateway.merge.step_done",
                        metadata: ["chatpanel.merge.workflow_id": "\(workflowID)", "chatpanel.merge.step": "\(steps[position].name)"])
                    failures = 0
                } catch let error as RPCError where Self.isTransient(error) {
                    try await store.recordStepAttempt(workflowID: workflowID, position: position, error: error.description, permanent: false)
                    failures += 1
                    let delay = min(Duration.milliseconds(100) * (1 << min(failures, 10)), maximumRetryDelay)
                    logger.warning(
                        "gateway.merge.step_retry",
                        metadata: ["chatpanel.merge.workflow_id": "\(workflowID)", "chatpanel.merge.error": "\(error)"])
                    try await Task.sleep(for: delay)
                } catch {
                    try await store.recordStepAttempt(workflowID: workflowID, position: position, error: "\(error)", permanent: true)
                    logger.error(
                        "gateway.merge.failed", metadata: ["chatpanel.merge.workflow_id": "\(workflowID)", "chatpanel.merge.error": "\(error)"])
                    return
                }
            } catch {
                // The gateway's own database failed, or shutdown interrupted the wait: the
                // workflow stays running and is resumed on the next start.
                logger.warning("gateway.merge.interrupted", metadata: ["chatpanel.merge.error": "\(error)"])
                return
            }
        }
    }

    /// Errors worth another attempt: the service was away or slow.
    static func isTransient(_ error: RPCError) -> Bool {
        [.unavailable, .deadlineExceeded, .resourceExhausted, .aborted].contains(error.code)
    }
}
