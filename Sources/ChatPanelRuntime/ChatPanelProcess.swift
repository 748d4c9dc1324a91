public import ChatPanelRPC
import ChatPanelSystem
public import Logging
public import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// Runs one ChatPanel process: its RPC server (on systemd's socket or its own), systemd
/// readiness and watchdog, and any background services, in one `ServiceGroup` that drains
/// on SIGTERM or SIGINT.
public enum ChatPanelProcess {
    /// Serves `router` until SIGTERM/SIGINT. Open and migrate the store before calling this:
    /// `READY=1` is sent once the socket listens.
    public static func run(
        configuration: ProcessConfiguration, router: RPCRouter, health: HealthReporter,
        backgroundServices: [any Service] = [], environment: [String: String], logger: Logger
    ) async throws {
        let activated = SystemdActivation.listenDescriptors(environment: environment, processID: getpid())
        var serverConfiguration = RPCServerConfiguration(
            listener: activated.first.map { .activatedDescriptor($0) } ?? .path(configuration.socketPath))
        serverConfiguration.peerPolicy = configuration.peerPolicy
        serverConfiguration.maximumConnections = configuration.maximumConnections
        let server = RPCServer(configuration: serverConfiguration, router: router, health: health, logger: logger)
        let systemd = SystemdLifecycleService(
            notifier: .fromEnvironment(environment), server: server,
            watchdogMicroseconds: SystemdLifecycleService.watchdogMicroseconds(environment: environment, processID: getpid()),
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                // A group shuts its services down in reverse order: systemd hears STOPPING=1,
                // then the server drains its calls, then the background services stop (the
                // gateway's upstreams close only once no call can still use them).
                services: backgroundServices.map { .init(service: $0) } + [.init(service: server), .init(service: systemd)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }

    /// Serves `host`'s service until SIGTERM/SIGINT, with its background services (the
    /// idempotency record pruner among them). The host has opened and migrated the store:
    /// `READY=1` is sent once the socket listens. The host's state folder lock is held until
    /// this returns.
    public static func run<Service: ChatPanelService>(
        _ host: ServiceHost<Service>, configuration: ProcessConfiguration, environment: [String: String], logger: Logger
    ) async throws {
        defer { withExtendedLifetime(host.stateLock) {} }
        try await run(
            configuration: configuration, router: host.router, health: host.health, backgroundServices: host.backgroundServices,
            environment: environment, logger: logger)
    }

    /// Runs `services` (a process without a socket of its own, like the exporter) until
    /// SIGTERM or SIGINT.
    public static func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Makes the process logger: journald-prefixed lines on stderr; a line logged while a call
    /// is served names the call's trace (``ChatPanelRPC/RPCTraceContextKey``, `Logger.MetadataProvider.chatPanelTrace`).
    public static func makeLogger(name: String, level: Logger.Level) -> Logger {
        var logger = Logger(label: name) { label in
            JournaldLogHandler(label: label, level: level, metadataProvider: .chatPanelTrace)
        }
        logger.logLevel = level
        return logger
    }
}
