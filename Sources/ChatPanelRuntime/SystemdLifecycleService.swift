public import ChatPanelRPC
public import ChatPanelSystem
public import Logging
public import ServiceLifecycle

/// Tells systemd how the process is doing: `READY=1` once the server listens (the store has
/// migrated before the server is made), watchdog pings while it runs, `STOPPING=1` on shutdown.
public struct SystemdLifecycleService: Service {
    private let notifier: SystemdNotifier
    private let server: RPCServer
    private let watchdogInterval: Duration?
    private let logger: Logger

    /// A service reporting `server`'s readiness through `notifier`; `watchdogMicroseconds` is
    /// `WATCHDOG_USEC` when systemd asked for pings.
    public init(notifier: SystemdNotifier, server: RPCServer, watchdogMicroseconds: Int64?, logger: Logger) {
        self.notifier = notifier
        self.server = server
        self.watchdogInterval = watchdogMicroseconds.map { .microseconds($0 / 2) }
        self.logger = logger
    }

    /// The watchdog period from the environment, when systemd set one for this process.
    public static func watchdogMicroseconds(environment: [String: String], processID: Int32) -> Int64? {
        guard let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], Int32(pid) != processID { return nil }
        return usec
    }

    public func run() async throws {
        try await server.waitUntilListening()
        notifier.notify("READY=1\nSTATUS=serving")
        logger.notice("process.ready")
        await withGracefulShutdownHandler {
            guard let interval = watchdogInterval else {
                try? await gracefulShutdown()
                return
            }
            while !Task.isCancelledOrShuttingDown {
                notifier.notify("WATCHDOG=1")
                try? await Task.sleep(for: interval)
            }
        } onGracefulShutdown: {
            notifier.notify("STOPPING=1\nSTATUS=draining")
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the current task was cancelled or its service group is shutting down.
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
