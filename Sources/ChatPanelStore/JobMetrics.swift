import CoreMetrics

/// What a background job records (tag jobs, merge workflows, the idempotency pruner), through
/// swift-metrics:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `chatpanel_jobs_queued` | gauge | `job`: work waiting or under way (jobs, workflows) |
/// | `chatpanel_jobs_runs_total` | counter | `job`, `outcome` (`done`, `failed`, `retried`, `refused`) |
///
/// An alert on `increase(chatpanel_jobs_runs_total{outcome="failed"}[1h]) > 0` catches a job that
/// gave up; a queue that never drains shows in `chatpanel_jobs_queued`. A job its request could
/// not start (`refused`: a merge of a client merged already) is nothing for an operator.
public struct JobMetrics: Sendable {
    /// How one run of a job ended.
    public enum Outcome: String, Sendable {
        /// It did its work.
        case done
        /// It failed and will not be tried again without an operator (or a new request).
        case failed
        /// It failed and will be tried again.
        case retried
        /// What it was asked to do cannot be done, and it changed nothing (a merge of a client
        /// merged already): the asker's matter, not an operator's.
        case refused
    }

    /// The job's label value, like `tag_job`.
    public let job: String
    private let queue: Gauge
    private let done: Counter
    private let failed: Counter
    private let retried: Counter
    private let refused: Counter

    /// The metrics of `job`; make once per process and keep (after the process chose its backend).
    public init(job: String) {
        self.job = job
        queue = Gauge(label: "chatpanel_jobs_queued", dimensions: [("job", job)])
        done = Counter(label: "chatpanel_jobs_runs_total", dimensions: [("job", job), ("outcome", Outcome.done.rawValue)])
        failed = Counter(label: "chatpanel_jobs_runs_total", dimensions: [("job", job), ("outcome", Outcome.failed.rawValue)])
        retried = Counter(label: "chatpanel_jobs_runs_total", dimensions: [("job", job), ("outcome", Outcome.retried.rawValue)])
        refused = Counter(label: "chatpanel_jobs_runs_total", dimensions: [("job", job), ("outcome", Outcome.refused.rawValue)])
    }

    /// Records how much work waits or runs now.
    public func queued(_ count: Int) { queue.record(count) }

    /// Counts one run that ended with `outcome`.
    public func finished(_ outcome: Outcome) {
        switch outcome {
        case .done: done.increment()
        case .failed: failed.increment()
        case .retried: retried.increment()
        case .refused: refused.increment()
        }
    }
}
