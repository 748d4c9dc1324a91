public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
public import Logging
public import ServiceLifecycle

/// Runs admin tag jobs (TAG-6) in the background, one at a time, as a `Service` of the
/// process's service group.
///
/// At start it resumes the job a restart interrupted; then it waits for
/// ``ClientsStore/startTagJob(_:by:)`` to queue the next. A delete goes in batches of
/// ``Configuration/batchSize`` links, each its own transaction, so reads never wait and
/// tagging waits at most one batch; progress is in the database after every batch, so a
/// crash or shutdown loses at most the batch in flight. Graceful shutdown stops between batches.
///
/// ``ClientsService`` makes one from ``ClientsConfiguration/tagJobs`` and hands it to the
/// process as a background service:
///
/// ```swift
/// let runner = TagJobRunner(store: store, logger: logger)
/// // ClientsService.makeBackgroundServices() -> [runner]
/// ```
public final class TagJobRunner: Service, Sendable {
    /// How the runner works.
    public struct Configuration: Sendable {
        /// Client-tag links removed per transaction by a delete. Default 5 000.
        public var batchSize: Int = 5_000
        /// A pause after each batch, leaving the writer free for other writes. Default none.
        public var pauseBetweenBatches: Duration = .zero
        /// The wait before retrying after a database error. Default 1 s.
        public var retryDelay: Duration = .seconds(1)
        /// Called after every committed step with the job's progress (tests and metrics).
        public var onProgress: (@Sendable (ClientsV1.TagJob) async -> Void)?

        /// Defaults.
        public init() {}
    }

    private let store: ClientsStore
    private let configuration: Configuration
    private let logger: Logger
    private let metrics = JobMetrics(job: "tag_job")

    /// A runner for the jobs of `store`.
    public init(store: ClientsStore, configuration: Configuration = Configuration(), logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs jobs until graceful shutdown or cancellation.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.loop() }
    }

    private func loop() async {
        while !Task.isCancelled {
            do {
                metrics.queued(try await store.pendingTagJobCount())
                if let job = try await store.activeTagJob() {
                    try await drive(job)
                } else {
                    await store.tagJobQueued.wait()
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                metrics.finished(.retried)
                logger.error("clients.tag_job.error", metadata: ["chatpanel.error": "\(error)"])
                try? await Task.sleep(for: configuration.retryDelay)
            }
        }
    }

    /// Runs one job to its end (or until cancelled).
    private func drive(_ start: ClientsV1.TagJob) async throws {
        var job = start
        let metadata: Logger.Metadata = [
            "chatpanel.tag_job.id": "\(job.jobID)", "chatpanel.tag_job.action": "\(job.spec?.action.protoName ?? "?")",
            "chatpanel.tag_job.tag_id": "\(job.spec?.tagID ?? 0)", "chatpanel.tag_job.clients_done": "\(job.clientsDone)",
        ]
        logger.notice(job.state == .running ? "clients.tag_job.resuming" : "clients.tag_job.starting", metadata: metadata)
        while job.state == .queued || job.state == .running {
            try Task.checkCancellation()
            job = try await store.runTagJobStep(job.jobID, batchSize: configuration.batchSize)
            await configuration.onProgress?(job)
            if configuration.pauseBetweenBatches > .zero, job.state == .running {
                try await Task.sleep(for: configuration.pauseBetweenBatches)
            }
        }
        var finished = metadata
        finished["chatpanel.tag_job.clients_done"] = "\(job.clientsDone)"
        finished["chatpanel.tag_job.elapsed_ms"] = "\(job.finishedAtMs - job.startedAtMs)"
        if job.state == .failed {
            finished["chatpanel.tag_job.error"] = "\(job.error)"
            logger.warning("clients.tag_job.failed", metadata: finished)
            metrics.finished(.failed)
        } else {
            logger.notice("clients.tag_job.done", metadata: finished)
            metrics.finished(.done)
        }
    }
}
