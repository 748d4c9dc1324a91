public import ChatPanelProto
public import ChatPanelRPC
public import ChatPanelStore
public import ChatPanelSystem
import Foundation
public import Logging
public import ServiceLifecycle

/// A ``ChatPanelService`` ready to serve: its store opened and migrated in the state folder,
/// its router, its health reporter (the database plus the service's own components) and its
/// background services (the service's own plus the idempotency record pruner), and the
/// methods every process answers: backups, metrics and the change feed.
///
/// `chatpaneld` hands one to ``ChatPanelProcess/run(_:configuration:environment:)``; the test
/// harnesses serve one on a temporary socket. Both get the same parts.
public struct ServiceHost<Service: ChatPanelService>: Sendable {
    /// The service.
    public let service: Service
    /// Its methods.
    public let router: RPCRouter
    /// Its `Health/Check` answers.
    public let health: HealthReporter
    /// What runs beside the server, the pruner included.
    public let backgroundServices: [any ServiceLifecycle.Service]
    /// `<stateDirectory>/<name>.lock`, held while the host lives: no second process opens the
    /// database, and `chatpanelctl restore` refuses while this one runs.
    public let stateLock: StateDirectoryLock

    /// Takes the state folder's lock (creating the folder), then opens the service's store at
    /// `<stateDirectory>/<name>.sqlite` and assembles the service. Throws
    /// ``StateDirectoryLockError`` when another process holds the lock.
    public init(
        configuration: Service.Configuration, stateDirectory: String, storeConfiguration: StoreConfiguration = StoreConfiguration(),
        pruner: PrunerSchedule = PrunerSchedule(), logger: Logger
    ) throws {
        ProcessMetrics.bootstrap()
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        self.stateLock = try StateDirectoryLock(stateDirectory: stateDirectory, process: Service.name)
        let store = try Service.Store(path: "\(stateDirectory)/\(Service.name).sqlite", configuration: storeConfiguration)
        let service = Service(store: store, configuration: configuration, logger: logger)
        self.service = service
        let database = store.database
        var router = service.makeRouter()
        router.merge(BackupMethods.makeRouter(process: Service.name, database: database))
        router.merge(ProcessMetrics.makeRouter(database: database))
        router.merge(ChangeFeedMethods.makeRouter(database: database))
        self.router = router
        self.health = HealthReporter(process: Service.name) {
            [await database.componentHealth()] + (await service.healthComponents())
        }
        self.backgroundServices =
            service.makeBackgroundServices() + [
                IdempotencyRecordPruner(
                    store: database, retention: pruner.retention, changeRetention: pruner.changeRetention, interval: pruner.interval,
                    now: database.now, logger: logger)
            ]
    }

    /// The service's store.
    public var store: Service.Store { service.store }
}

/// When the host's idempotency record pruner runs (see ``ChatPanelStore/IdempotencyRecordPruner``).
public struct PrunerSchedule: Sendable {
    /// How long an answer is kept for retries. Default 7 days.
    public var retention: Duration = .seconds(7 * 86_400)
    /// How long the change feed keeps a change. Default 1 hour.
    public var changeRetention: Duration = .seconds(3600)
    /// How often it prunes. Default 1 hour.
    public var interval: Duration = .seconds(3600)

    /// The defaults.
    public init() {}
}

extension SQLiteStore {
    /// The database as a `Health/Check` component: SERVING while it answers a read.
    public func componentHealth() async -> HealthV1.ComponentHealth {
        do {
            try await ping()
            return HealthV1.ComponentHealth(name: "database", status: .serving)
        } catch {
            return HealthV1.ComponentHealth(name: "database", status: .notServing, detail: "\(error)")
        }
    }
}

extension StoreError: RPCErrorConvertible {
    /// Busy → `UNAVAILABLE` (retry), disk full → `RESOURCE_EXHAUSTED`, a request id reused for
    /// another method → `FAILED_PRECONDITION`.
    public var rpcError: RPCError {
        if isBusy { return RPCError.unavailable(description) }
        if isDiskFull { return RPCError(code: .resourceExhausted, message: description) }
        return RPCError.failedPrecondition(description)
    }
}
