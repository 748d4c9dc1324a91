public import ChatPanelRPC
import ChatPanelSystem
public import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Settings shared by every ChatPanel process, from flags with environment fallbacks.
///
/// | key | flag | environment | default |
/// |---|---|---|---|
/// | socket path | `--socket` | `CHATPANEL_SOCKET` | `<state>/<name>.sock` (ignored when systemd passes a socket) |
/// | state directory | `--state-dir` | `STATE_DIRECTORY` (set by systemd), `CHATPANEL_STATE_DIR` | `./run/state` |
/// | log level | `--log-level` | `CHATPANEL_LOG_LEVEL` | `info` |
/// | allowed peer uids | `--allow-uid` | `CHATPANEL_ALLOW_UIDS` (comma-separated) | this process's uid (every group) |
/// | allowed peer gids | `--allow-gid` | `CHATPANEL_ALLOW_GIDS` (comma-separated) | none |
/// | connection cap | `--max-connections` | `CHATPANEL_MAX_CONNECTIONS` | 1024 |
///
/// An allow-list entry is an id or a user (group) name, optionally with the method groups its
/// peers may call: `1001` (every group), `1002:feeds`, `chatpanel-gateway:panel`,
/// `1003:panel+admin` (see ``PeerPolicy``). Names are looked up once, at start.
public struct ProcessConfiguration: Sendable {
    /// The process name (`clients`, `tasks`, `gateway`, `echo`).
    public var name: String
    /// The socket path to bind when not socket-activated.
    public var socketPath: String
    /// Where the process keeps its SQLite database.
    public var stateDirectory: String
    /// The lowest level logged.
    public var logLevel: Logger.Level
    /// Who may connect, and which methods each may call.
    public var peerPolicy: PeerPolicy
    /// Connections served at once; further ones are closed as soon as they are accepted.
    public var maximumConnections: Int

    /// A configuration from its parts.
    public init(
        name: String, socketPath: String, stateDirectory: String, logLevel: Logger.Level, peerPolicy: PeerPolicy,
        maximumConnections: Int = 1024
    ) {
        self.name = name
        self.socketPath = socketPath
        self.stateDirectory = stateDirectory
        self.logLevel = logLevel
        self.peerPolicy = peerPolicy
        self.maximumConnections = maximumConnections
    }

    /// Resolves each setting: the flag when given, else the environment, else the default.
    public static func resolve(
        name: String, socket: String?, stateDirectory: String?, logLevel: String?, allowUIDs: [String], allowGIDs: [String],
        maximumConnections: Int? = nil, environment: [String: String]
    ) throws -> ProcessConfiguration {
        let state = stateDirectory ?? environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init)
            ?? environment["CHATPANEL_STATE_DIR"] ?? "./run/state"
        let socketPath = socket ?? environment["CHATPANEL_SOCKET"] ?? "\(state)/\(name).sock"
        let levelText = logLevel ?? environment["CHATPANEL_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ConfigurationError("log level '\(levelText)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var uids = try parseEntries(allowUIDs, key: "--allow-uid", resolve: userID(named:))
        var gids = try parseEntries(allowGIDs, key: "--allow-gid", resolve: groupID(named:))
        uids += try parseEntries(list: environment["CHATPANEL_ALLOW_UIDS"], key: "CHATPANEL_ALLOW_UIDS", resolve: userID(named:))
        gids += try parseEntries(list: environment["CHATPANEL_ALLOW_GIDS"], key: "CHATPANEL_ALLOW_GIDS", resolve: groupID(named:))
        uids.append(PeerPolicy.Entry(id: UnixSocketFile.currentUserID))
        var connections = maximumConnections ?? 1024
        if maximumConnections == nil, let text = environment["CHATPANEL_MAX_CONNECTIONS"] {
            guard let value = Int(text) else { throw ConfigurationError("CHATPANEL_MAX_CONNECTIONS: '\(text)' is not a number") }
            connections = value
        }
        guard connections >= 1 else { throw ConfigurationError("the connection cap must be at least 1, not \(connections)") }
        return ProcessConfiguration(
            name: name, socketPath: socketPath, stateDirectory: state, logLevel: level,
            peerPolicy: PeerPolicy(userEntries: uids, groupEntries: gids), maximumConnections: connections)
    }

    private static func parseEntries(list text: String?, key: String, resolve: (String) -> UInt32?) throws -> [PeerPolicy.Entry] {
        guard let text, !text.isEmpty else { return [] }
        return try parseEntries(text.split(separator: ",").map(String.init), key: key, resolve: resolve)
    }

    private static func parseEntries(_ texts: [String], key: String, resolve: (String) -> UInt32?) throws -> [PeerPolicy.Entry] {
        do {
            return try texts.map { try PeerPolicy.Entry(parsing: $0, resolveName: resolve) }
        } catch {
            throw ConfigurationError("\(key): \(error)")
        }
    }

    /// The uid of a user name (the system's user database), if there is such a user.
    private static func userID(named name: String) -> UInt32? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    /// The gid of a group name, if there is such a group.
    private static func groupID(named name: String) -> UInt32? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }
}

/// A setting that cannot be used, with what is wrong.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String

    /// An error with its explanation.
    public init(_ description: String) {
        self.description = description
    }
}

