import ArgumentParser
import ChatPanelRuntime
import Foundation
import Logging

/// The flags every process takes (each has an environment fallback, see `ProcessConfiguration`).
struct ProcessOptions: ParsableArguments {
    @Option(help: "Unix socket path to bind when systemd passes none (env CHATPANEL_SOCKET).")
    var socket: String?

    @Option(help: "Folder for the SQLite database (env STATE_DIRECTORY or CHATPANEL_STATE_DIR; default ./run/state).")
    var stateDir: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (env CHATPANEL_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(
        name: .customLong("allow-uid"),
        help: "A user id allowed to connect, optionally with the method groups it may call: 1001, 1002:feeds, 1003:panel+admin; repeatable (env CHATPANEL_ALLOW_UIDS, comma-separated).")
    var allowUIDs: [String] = []

    @Option(
        name: .customLong("allow-gid"),
        help: "A group id allowed to connect, optionally with its method groups as for --allow-uid; repeatable (env CHATPANEL_ALLOW_GIDS).")
    var allowGIDs: [String] = []

    @Option(help: "Connections served at once; more are closed when accepted (env CHATPANEL_MAX_CONNECTIONS; default 1024).")
    var maxConnections: Int?

    /// The resolved configuration of process `name`.
    func resolve(name: String) throws -> ProcessConfiguration {
        do {
            return try ProcessConfiguration.resolve(
                name: name, socket: socket, stateDirectory: stateDir, logLevel: logLevel, allowUIDs: allowUIDs, allowGIDs: allowGIDs,
                maximumConnections: maxConnections,
                environment: ProcessInfo.processInfo.environment)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }

    /// Runs `Service` as process `Service.name` until SIGTERM/SIGINT: resolves the settings,
    /// opens and migrates its store before the socket listens (READY=1 means the database is
    /// usable), and serves it with its background services.
    func serve<Service: ChatPanelService>(_ type: Service.Type, configuration serviceConfiguration: Service.Configuration) async throws {
        try await serve(type) { _ in serviceConfiguration }
    }

    /// ``serve(_:configuration:)`` with the service's settings made from the process's (the
    /// gateway's upstream sockets default to its state folder).
    func serve<Service: ChatPanelService>(
        _ type: Service.Type, makeConfiguration: (ProcessConfiguration) throws -> Service.Configuration
    ) async throws {
        let configuration = try resolve(name: Service.name)
        let serviceConfiguration = try makeConfiguration(configuration)
        let logger = ChatPanelProcess.makeLogger(name: Service.name, level: configuration.logLevel)
        let host = try ServiceHost<Service>(
            configuration: serviceConfiguration, stateDirectory: configuration.stateDirectory, logger: logger)
        try await ChatPanelProcess.run(host, configuration: configuration, environment: ProcessInfo.processInfo.environment, logger: logger)
    }
}
