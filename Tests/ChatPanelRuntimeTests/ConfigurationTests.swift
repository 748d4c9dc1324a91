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
        socket: String? = nil, stateDirectory: String? = nil, logLevel: String? = nil, allowUIDs: [UInt32] = [],
        allowGIDs: [UInt32] = [], environment: [String: String] = [:]
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
        #expect(configuration.peerPolicy.allowedUserIDs == [ownUID])
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
        #expect(configuration.peerPolicy.allowedUserIDs == [1001, 1002, ownUID])
        #expect(configuration.peerPolicy.allowedGroupIDs == [2001])
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

    @Test func badAllowGIDsIsAnErrorNamingTheKey() {
        let message = configurationError { try resolve(environment: ["CHATPANEL_ALLOW_GIDS": "wheel"]) }
        #expect(message.contains("CHATPANEL_ALLOW_GIDS"), "\(message)")
        #expect(message.contains("'wheel'"), "\(message)")
    }

    @Test func emptyAllowListsAreFine() throws {
        let configuration = try resolve(environment: ["CHATPANEL_ALLOW_UIDS": "", "CHATPANEL_ALLOW_GIDS": ""])
        #expect(configuration.peerPolicy.allowedUserIDs == [ownUID])
        #expect(configuration.peerPolicy.allowedGroupIDs.isEmpty)
    }

    @Test func ownUIDIsAlwaysAllowed() throws {
        let other: UInt32 = ownUID == 4242 ? 4243 : 4242
        // Flags and environment add to the list; neither can take this process's uid off it.
        let configuration = try resolve(
            allowUIDs: [other], allowGIDs: [77], environment: ["CHATPANEL_ALLOW_UIDS": "5001,5002", "CHATPANEL_ALLOW_GIDS": "78"])
        #expect(configuration.peerPolicy.allowedUserIDs == [other, 5001, 5002, ownUID])
        #expect(configuration.peerPolicy.allowedGroupIDs == [77, 78])
        #expect(configuration.peerPolicy.allowedUserIDs.contains(UnixSocketFile.currentUserID))

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
            let daemon = try spawnEchoDaemon(directory: dir, socket: socket, environment: ["CHATPANEL_ALLOW_UIDS": "root"])
            defer { daemon.kill() }
            let ended = try await daemon.waitForExit(timeout: .seconds(20))
            #expect(ended != nil && ended != .exited(0), "\(ended.map(\.description) ?? "still running")")
            #expect(daemon.standardError.contains("CHATPANEL_ALLOW_UIDS"), "\(daemon.standardError)")
            #expect(!pathExists(socket))
        }
    }
}
