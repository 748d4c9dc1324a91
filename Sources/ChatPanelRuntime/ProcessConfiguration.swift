public import ChatPanelRPC
import ChatPanelSystem
public import Logging

/// Settings shared by every ChatPanel process, from flags with environment fallbacks.
///
/// | key | flag | environment | default |
/// |---|---|---|---|
/// | socket path | `--socket` | `CHATPANEL_SOCKET` | `<state>/<name>.sock` (ignored when systemd passes a socket) |
/// | state directory | `--state-dir` | `STATE_DIRECTORY` (set by systemd), `CHATPANEL_STATE_DIR` | `./run/state` |
/// | log level | `--log-level` | `CHATPANEL_LOG_LEVEL` | `info` |
/// | allowed peer uids | `--allow-uid` | `CHATPANEL_ALLOW_UIDS` (comma-separated) | this process's uid |
/// | allowed peer gids | `--allow-gid` | `CHATPANEL_ALLOW_GIDS` (comma-separated) | none |
public struct ProcessConfiguration: Sendable {
    /// The process name (`clients`, `tasks`, `gateway`, `echo`).
    public var name: String
    /// The socket path to bind when not socket-activated.
    public var socketPath: String
    /// Where the process keeps its SQLite database.
    public var stateDirectory: String
    /// The lowest level logged.
    public var logLevel: Logger.Level
    /// Who may connect.
    public var peerPolicy: PeerPolicy

    /// A configuration from its parts.
    public init(name: String, socketPath: String, stateDirectory: String, logLevel: Logger.Level, peerPolicy: PeerPolicy) {
        self.name = name
        self.socketPath = socketPath
        self.stateDirectory = stateDirectory
        self.logLevel = logLevel
        self.peerPolicy = peerPolicy
    }

    /// Resolves each setting: the flag when given, else the environment, else the default.
    public static func resolve(
        name: String, socket: String?, stateDirectory: String?, logLevel: String?, allowUIDs: [UInt32], allowGIDs: [UInt32],
        environment: [String: String]
    ) throws -> ProcessConfiguration {
        let state = stateDirectory ?? environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init)
            ?? environment["CHATPANEL_STATE_DIR"] ?? "./run/state"
        let socketPath = socket ?? environment["CHATPANEL_SOCKET"] ?? "\(state)/\(name).sock"
        let levelText = logLevel ?? environment["CHATPANEL_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ConfigurationError("log level '\(levelText)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var uids = Set(allowUIDs)
        var gids = Set(allowGIDs)
        uids.formUnion(try parseIDs(environment["CHATPANEL_ALLOW_UIDS"], key: "CHATPANEL_ALLOW_UIDS"))
        gids.formUnion(try parseIDs(environment["CHATPANEL_ALLOW_GIDS"], key: "CHATPANEL_ALLOW_GIDS"))
        uids.insert(UnixSocketFile.currentUserID)
        return ProcessConfiguration(
            name: name, socketPath: socketPath, stateDirectory: state, logLevel: level,
            peerPolicy: PeerPolicy(allowedUserIDs: uids, allowedGroupIDs: gids))
    }

    private static func parseIDs(_ text: String?, key: String) throws -> Set<UInt32> {
        guard let text, !text.isEmpty else { return [] }
        var result = Set<UInt32>()
        for part in text.split(separator: ",") {
            guard let id = UInt32(part.trimmingCharacters(in: " ")) else { throw ConfigurationError("\(key): '\(part)' is not a numeric id") }
            result.insert(id)
        }
        return result
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

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = self
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
