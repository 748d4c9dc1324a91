import ChatPanelRPC
import ChatPanelSystem
import ChatPanelTesting
import Foundation
import Logging
import Testing

@testable import ChatPanelRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// Configuration: `ProcessConfiguration.resolve` takes each setting from the flag, else the
/// environment (systemd's STATE_DIRECTORY before CHATPANEL_STATE_DIR), else the default; bad
/// values are errors that name the setting; this process's own uid may always connect.
@Suite(.timeLimit(.minutes(2)))
struct ConfigurationTests {
    private let ownUID = UInt32(getuid())

    private func resolve(
        socket: String? = nil, stateDirectory: String? = nil, logLevel: String? = nil, allowUIDs: [String] = [],
        allowGIDs: [String] = [], environment: [String: String] = [:]
    ) throws -> ProcessConfiguration {
        try ProcessConfiguration.resolve(
            name: "echo", socket: socket, stateDirectory: stateDirectory, logLevel: logLevel, allowUIDs: allowUIDs,
            allowGIDs: allowGIDs, environment: environment)
    }

    /// The message of the `ConfigurationError` that `body` throws (fails the test if it throws none).
    private func configurationError(_ body: () throws -> ProcessConfiguration) -> String {
        let error = #expect(throws: ConfigurationError.self) { _ = try body() }
        return error?.description ?? ""
    }

    @Test func defaultsWithoutFlagsOrEnvironment() throws {
        let configuration = try resolve()
        #expect(configuration.name == "echo")
        #expect(configuration.stateDirectory == "./run/state")
        #expect(configuration.socketPath == "./run/state/echo.sock")
        #expect(configuration.logLevel == .info)
        #expect(Set(configuration.peerPolicy.allowedUserIDs.keys) == [ownUID])
        #expect(configuration.peerPolicy.allowedGroupIDs.isEmpty)
    }

    @Test func environmentOverridesDefaults() throws {
        let configuration = try resolve(environment: [
            "CHATPANEL_SOCKET": "/run/env/echo.sock", "CHATPANEL_STATE_DIR": "/var/lib/env", "CHATPANEL_LOG_LEVEL": "debug",
            "CHATPANEL_ALLOW_UIDS": "1001, 1002", "CHATPANEL_ALLOW_GIDS": "2001",
        ])
        #expect(configuration.socketPath == "/run/env/echo.sock")
        #expect(configuration.stateDirectory == "/var/lib/env")
        #expect(configuration.logLevel == .debug)
        #expect(Set(configuration.peerPolicy.allowedUserIDs.keys) == [1001, 1002, ownUID])
        #expect(Set(configuration.peerPolicy.allowedGroupIDs.keys) == [2001])
    }

    @Test func flagsOverrideEnvironment() throws {
        let configuration = try resolve(
            socket: "/run/flag/echo.sock", stateDirectory: "/var/lib/flag", logLevel: "error",
            environment: [
                "CHATPANEL_SOCKET": "/run/env/echo.sock", "STATE_DIRECTORY": "/var/lib/systemd", "CHATPANEL_STATE_DIR": "/var/lib/env",
                "CHATPANEL_LOG_LEVEL": "debug",
            ])
        #expect(configuration.socketPath == "/run/flag/echo.sock")
        #expect(configuration.stateDirectory == "/var/lib/flag")
        #expect(configuration.logLevel == .error)
    }

    @Test func defaultSocketFollowsTheResolvedStateDirectory() throws {
        #expect(try resolve(stateDirectory: "/srv/flag").socketPath == "/srv/flag/echo.sock")
        #expect(try resolve(environment: ["CHATPANEL_STATE_DIR": "/srv/env"]).socketPath == "/srv/env/echo.sock")
        // An explicit socket is not moved by the state directory.
        #expect(try resolve(stateDirectory: "/srv/flag", environment: ["CHATPANEL_SOCKET": "/run/e.sock"]).socketPath == "/run/e.sock")
    }

    @Test func systemdStateDirectoryWinsOverChatPanelStateDir() throws {
        let configuration = try resolve(environment: ["STATE_DIRECTORY": "/var/lib/chatpanel", "CHATPANEL_STATE_DIR": "/tmp/mine"])
        #expect(configuration.stateDirectory == "/var/lib/chatpanel")
        #expect(configuration.socketPath == "/var/lib/chatpanel/echo.sock")
        // With several StateDirectory= entries systemd joins them with ':'; the first is ours.
        #expect(try resolve(environment: ["STATE_DIRECTORY": "/var/lib/a:/var/lib/b"]).stateDirectory == "/var/lib/a")
        // The flag still beats systemd.
        #expect(try resolve(stateDirectory: "/flag", environment: ["STATE_DIRECTORY": "/var/lib/chatpanel"]).stateDirectory == "/flag")
    }

    @Test(arguments: Logger.Level.allCases)
    func everyLogLevelNameIsAccepted(level: Logger.Level) throws {
        #expect(try resolve(logLevel: level.rawValue).logLevel == level)
        #expect(try resolve(environment: ["CHATPANEL_LOG_LEVEL": level.rawValue]).logLevel == level)
    }

    @Test func badLogLevelIsAnErrorNamingTheSetting() {
        let fromFlag = configurationError { try resolve(logLevel: "loud") }
        #expect(fromFlag.contains("log level"), "\(fromFlag)")
        #expect(fromFlag.contains("'loud'"), "\(fromFlag)")
        #expect(fromFlag.contains("warning"), "the error should list the valid levels: \(fromFlag)")

        let fromEnvironment = configurationError { try resolve(environment: ["CHATPANEL_LOG_LEVEL": "INFO"]) }
        #expect(fromEnvironment.contains("log level"), "\(fromEnvironment)")
        #expect(fromEnvironment.contains("'INFO'"), "\(fromEnvironment)")
    }

    @Test(arguments: ["1000,abc", "-1", "1000;1001", "4294967296", "1000, ,x"])
    func badAllowUIDsIsAnErrorNamingTheKey(value: String) {
        let message = configurationError { try resolve(environment: ["CHATPANEL_ALLOW_UIDS": value]) }
        #expect(message.contains("CHATPANEL_ALLOW_UIDS"), "\(message)")
        #expect(message.contains("not a numeric id"), "\(message)")
    }

    @Test func allowEntriesNameTheirMethodGroups() throws {
        let configuration = try resolve(
            allowUIDs: ["1001:feeds", "1002:panel+admin"], allowGIDs: ["3001:admin"],
            environment: ["CHATPANEL_ALLOW_UIDS": "1001:panel,1003", "CHATPANEL_ALLOW_GIDS": "3002:feeds"])
        let policy = configuration.peerPolicy
        // An id listed twice gets both entries' groups; an entry without groups gets all.
        #expect(policy.allowedUserIDs[1001] == [.feeds, .panel])
        #expect(policy.allowedUserIDs[1002] == [.panel, .admin])
        #expect(policy.allowedUserIDs[1003] == Set(MethodGroup.allCases))
        #expect(policy.allowedGroupIDs == [3001: [.admin], 3002: [.feeds]])
        // A peer gets the groups of its user entry and of its group entry.
        #expect(policy.groups(for: PeerCredentials(processID: 1, userID: 1002, groupID: 3002)) == [.panel, .admin, .feeds])
        #expect(policy.groups(for: PeerCredentials(processID: 1, userID: 5555, groupID: 3001)) == [.admin])
        #expect(policy.groups(for: PeerCredentials(processID: 1, userID: 5555, groupID: 5555)).isEmpty)
    }

    @Test(arguments: ["1001:manager", "1001:", "1001:panel+", "x:feeds"])
    func aBadAllowEntryIsAnErrorNamingItAndTheGroups(entry: String) {
        let message = configurationError { try resolve(allowUIDs: [entry]) }
        #expect(message.contains("--allow-uid"), "\(message)")
        #expect(message.contains("\"\(entry)\""), "\(message)")
        if !entry.hasPrefix("x") {
            #expect(message.contains("known: panel, feeds, admin"), "\(message)")
        }
    }

    @Test func allowEntriesMayNameUsersAndGroups() throws {
        // Debian's `daemon` user and group are 1.
        try #require(ownUID != 1)
        let configuration = try resolve(allowUIDs: ["daemon:admin"], allowGIDs: ["daemon:feeds"])
        #expect(configuration.peerPolicy.allowedUserIDs[1] == [.admin])
        #expect(configuration.peerPolicy.allowedGroupIDs[1] == [.feeds])
        let message = configurationError { try resolve(allowUIDs: ["no-such-user-here:panel"]) }
        #expect(message.contains("\"no-such-user-here\" is not a numeric id nor a known name"), "\(message)")
    }

    @Test func connectionCapFromFlagOrEnvironment() throws {
        #expect(try resolve().maximumConnections == 1024)
        #expect(try resolve(environment: ["CHATPANEL_MAX_CONNECTIONS": "64"]).maximumConnections == 64)
        #expect(try ProcessConfiguration.resolve(
            name: "echo", socket: nil, stateDirectory: nil, logLevel: nil, allowUIDs: [], allowGIDs: [], maximumConnections: 8,
            environment: ["CHATPANEL_MAX_CONNECTIONS": "64"]).maximumConnections == 8)
        #expect(configurationError { try resolve(environment: ["CHATPANEL_MAX_CONNECTIONS": "many"]) }.contains("CHATPANEL_MAX_CONNECTIONS"))
        #expect(configurationError { try resolve(environment: ["CHATPANEL_MAX_CONNECTIONS": "0"]) }.contains("at least 1"))
    }

    @Test func badAllowGIDsIsAnErrorNamingTheKey() {
        let message = configurationError { try resolve(environment: ["CHATPANEL_ALLOW_GIDS": "wheel"]) }
        #expect(message.contains("CHATPANEL_ALLOW_GIDS"), "\(message)")
        #expect(message.contains("\"wheel\""), "\(message)")
    }

    @Test func emptyAllowListsAreFine() throws {
        let configuration = try resolve(environment: ["CHATPANEL_ALLOW_UIDS": "", "CHATPANEL_ALLOW_GIDS": ""])
        #expect(Set(configuration.peerPolicy.allowedUserIDs.keys) == [ownUID])
        #expect(configuration.peerPolicy.allowedGroupIDs.isEmpty)
    }

    @Test func ownUIDIsAlwaysAllowed() throws {
        let other: UInt32 = ownUID == 4242 ? 4243 : 4242
        // Flags and environment add to the list; neither can take this process's uid off it.
        let configuration = try resolve(
            allowUIDs: ["\(other)"], allowGIDs: ["77"], environment: ["CHATPANEL_ALLOW_UIDS": "5001,5002", "CHATPANEL_ALLOW_GIDS": "78"])
        #expect(Set(configuration.peerPolicy.allowedUserIDs.keys) == [other, 5001, 5002, ownUID])
        #expect(Set(configuration.peerPolicy.allowedGroupIDs.keys) == [77, 78])
        #expect(configuration.peerPolicy.allowedUserIDs[UnixSocketFile.currentUserID] == Set(MethodGroup.allCases))

        let me = PeerCredentials(processID: getpid(), userID: ownUID, groupID: 999_999)
        #expect(configuration.peerPolicy.allows(me))
        let stranger = PeerCredentials(processID: 1, userID: 999_999, groupID: 999_999)
        #expect(!configuration.peerPolicy.allows(stranger))
    }

    // MARK: The real daemon

    @Test func daemonRejectsABadLogLevelNamingIt() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/echo.sock"
            let daemon = try spawnEchoDaemon(directory: dir, socket: socket, environment: ["CHATPANEL_LOG_LEVEL": "chatty"])
            defer { daemon.kill() }
            let ended = try await daemon.waitForExit(timeout: .seconds(20))
            #expect(ended != nil && ended != .exited(0), "\(ended.map(\.description) ?? "still running")")
            #expect(daemon.standardError.contains("log level 'chatty'"), "\(daemon.standardError)")
            #expect(!pathExists(socket))
        }
    }

    @Test func daemonRejectsBadAllowUIDsNamingTheKey() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/echo.sock"
            let daemon = try spawnEchoDaemon(directory: dir, socket: socket, environment: ["CHATPANEL_ALLOW_UIDS": "no-such-user-here"])
            defer { daemon.kill() }
            let ended = try await daemon.waitForExit(timeout: .seconds(20))
            #expect(ended != nil && ended != .exited(0), "\(ended.map(\.description) ?? "still running")")
            #expect(daemon.standardError.contains("CHATPANEL_ALLOW_UIDS"), "\(daemon.standardError)")
            #expect(!pathExists(socket))
        }
    }
}
