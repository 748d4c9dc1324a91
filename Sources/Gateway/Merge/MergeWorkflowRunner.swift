public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
public import Logging
public import ServiceLifecycle
import Synchronization

/// Runs merge workflows to the end, one step after another, and resumes the unfinished ones
/// when the gateway starts again. Progress is recorded in the gateway's database after every
/// attempt, so a crash loses at most the attempt in flight, which is then repeated (every
/// step is idempotent by its request id).
///
/// Each workflow runs in its own child task: one waiting on a service that is down holds up no
/// other. A step that meets a passing failure (the service away or slow) is tried again after
/// waits that double up to a cap (``MergeRetryPolicy``), the workflow RETRYING meanwhile with
/// the error as its reason; after the policy's last attempt it is FAILED with the reason, and a
/// retried MergeClients request resumes it. Any other error fails the workflow at once.
public final class MergeWorkflowRunner: Service, Sendable {
    private let store: GatewayStore
    private let steps: [MergeStep]
    private let retry: MergeRetryPolicy
    private let logger: Logger
    private let wakeups: AsyncStream<String>
    private let wakeup: AsyncStream<String>.Continuation
    /// Workflows being driven, and those woken again meanwhile (driven once more when their run ends).
    private let driving = Mutex<(active: Set<String>, again: Set<String>)>(([], []))
    private let metrics = JobMetrics(job: "merge_workflow")

    /// A runner for `steps`.
    public init(store: GatewayStore, steps: [MergeStep], retry: MergeRetryPolicy = MergeRetryPolicy(), logger: Logger) {
        self.store = store
        self.steps = steps
        self.retry = retry
        self.logger = logger
        (wakeups, wakeup) = AsyncStream.makeStream(of: String.self)
    }

    /// The names of the steps, in order.
    public var stepNames: [String] { steps.map(\.name) }

    /// Records a new workflow (or finds the one of a retried request, resuming it when it had
    /// given up on an unreachable service) and wakes the runner.
    public func start(
        survivorClientID: Int64, mergedClientID: Int64, caller: RPCV1.Caller, requestID: String
    ) async throws -> GatewayV1.MergeWorkflow {
        let workflow = try await store.createMergeWorkflow(
            survivorClientID: survivorClientID, mergedClientID: mergedClientID, caller: caller, requestID: requestID,
            stepNames: stepNames)
        if Self.isUnfinished(workflow.state) { wakeup.yield(workflow.workflowID) }
        return workflow
    }

    /// Drives every unfinished workflow and each one started, until graceful shutdown (or
    /// cancellation); workflows waiting then are resumed on the next start.
    public func run() async throws {
        let unfinished = try await store.unfinishedMergeWorkflowIDs()
        for id in unfinished {
            logger.notice("gateway.merge.resuming", metadata: ["chatpanel.merge.workflow_id": "\(id)"])
            wakeup.yield(id)
        }
        await withDiscardingTaskGroup { group in
            for await id in wakeups.cancelOnGracefulShutdown() {
                let isNew = driving.withLock { driving in
                    guard driving.active.insert(id).inserted else {
                        driving.again.insert(id)
                        return false
                    }
                    metrics.queued(driving.active.count)
                    return true
                }
                guard isNew else { continue }
                group.addTask { await self.driveWhileWoken(workflowID: id) }
            }
            group.cancelAll()
        }
    }

    private func driveWhileWoken(workflowID: String) async {
        while true {
            await drive(workflowID: workflowID)
            let again = driving.withLock { driving in
                guard driving.again.remove(workflowID) != nil else {
                    driving.active.remove(workflowID)
                    metrics.queued(driving.active.count)
                    return false
                }
                return true
            }
            guard again, !Task.isCancelled else { return }
        }
    }

    private func drive(workflowID: String) async {
        let metadata: Logger.Metadata = ["chatpanel.merge.workflow_id": "\(workflowID)"]
        while !Task.isCancelled {
            do {
                guard let workflow = try await store.mergeWorkflow(id: workflowID), Self.isUnfinished(workflow.state) else { return }
                guard let position = workflow.steps.firstIndex(where: { !$0.done }) else { return }
                let context = MergeStepContext(
                    workflowID: workflowID, survivorClientID: workflow.survivorClientID, mergedClientID: workflow.mergedClientID,
                    caller: try await store.mergeWorkflowCaller(id: workflowID), requestID: "merge:\(workflowID):\(position)")
                let attempt = Int(workflow.steps[position].attempts) + 1
                do {
                    try await steps[position].run(context)
                    try await store.recordStepAttempt(workflowID: workflowID, position: position, outcome: .done)
                    if position == workflow.steps.count - 1 { metrics.finished(.done) }
                    logger.info(
                        "gateway.merge.step_done", metadata: metadata.merging(["chatpanel.merge.step": "\(steps[position].name)"]) { $1 })
                } catch let error as RPCError where Self.isTransient(error) {
                    // Shutting down: the attempt was cut short, not failed; the next start repeats it.
                    if Task.isCancelled { return }
                    if attempt >= retry.maximumAttempts {
                        let reason = "gave up after \(attempt) attempts at \"\(steps[position].name)\": \(error)"
                        try await store.recordStepAttempt(
                            workflowID: workflowID, position: position,
                            outcome: .failed(error: error.description, reason: reason, gaveUp: true))
                        logger.error("gateway.merge.gave_up", metadata: metadata.merging(["chatpanel.merge.error": "\(error)"]) { $1 })
                        metrics.finished(.failed)
                        return
                    }
                    let delay = retry.delay(afterFailures: attempt)
                    try await store.recordStepAttempt(
                        workflowID: workflowID, position: position,
                        outcome: .retrying(error: error.description, nextAttemptAtMs: store.now() + delay.milliseconds))
                    metrics.finished(.retried)
                    logger.warning(
                        "gateway.merge.step_retry",
                        metadata: metadata.merging(["chatpanel.merge.error": "\(error)", "chatpanel.merge.attempt": "\(attempt)"]) { $1 })
                    try await Task.sleep(for: delay)
                } catch {
                    if Task.isCancelled { return }
                    let reason = "\"\(steps[position].name)\" was refused: \(error)"
                    try await store.recordStepAttempt(
                        workflowID: workflowID, position: position, outcome: .failed(error: "\(error)", reason: reason, gaveUp: false))
                    let errorMetadata = metadata.merging(["chatpanel.merge.error": "\(error)"]) { $1 }
                    if Self.isRefusedRequest(error, position: position) {
                        logger.notice("gateway.merge.refused", metadata: errorMetadata)
                        metrics.finished(.refused)
                    } else {
                        logger.error("gateway.merge.failed", metadata: errorMetadata)
                        metrics.finished(.failed)
                    }
                    return
                }
            } catch {
                // The gateway's own database failed, or shutdown interrupted the wait: the
                // workflow stays unfinished and is resumed on the next start.
                logger.warning("gateway.merge.interrupted", metadata: metadata.merging(["chatpanel.merge.error": "\(error)"]) { $1 })
                return
            }
        }
    }

    /// Whether a workflow in `state` still has steps to run.
    static func isUnfinished(_ state: GatewayV1.WorkflowState) -> Bool {
        state == .running || state == .retrying
    }

    /// Whether `error`, met at the step at `position`, refused the merge as it was asked (a
    /// client that does not exist or was merged already) before any step changed anything: the
    /// workflow is FAILED with the reason for the manager, and nothing is left for an operator.
    /// A later step refused, or an error of the service itself, is a merge left half made: an
    /// operator's matter (logged as an error, counted as a failed run).
    static func isRefusedRequest(_ error: any Error, position: Int) -> Bool {
        guard position == 0, let error = error as? RPCError else { return false }
        return [.notFound, .failedPrecondition, .invalidArgument, .alreadyExists].contains(error.code)
    }

    /// Errors worth another attempt: the service was away or slow.
    static func isTransient(_ error: RPCError) -> Bool {
        [.unavailable, .deadlineExceeded, .resourceExhausted, .aborted, .cancelled].contains(error.code)
    }
}
