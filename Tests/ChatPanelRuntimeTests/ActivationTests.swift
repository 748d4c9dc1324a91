import ChatPanelTesting
import ChatPanelSystem
import Foundation
import Testing

@testable import ChatPanelRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// Socket activation: `SystemdActivation.listenDescriptors` takes systemd's sockets only when
/// LISTEN_PID names this process, and the real `chatpaneld echo` started by
/// `systemd-socket-activate` serves on the socket it was handed (never binding its own
/// `--socket` path) and answers `chatpanelctl health` with SERVING.
@Suite(.timeLimit(.minutes(2)))
struct ActivationTests {
    // MARK: SystemdActivation.listenDescriptors

    @Test func descriptorsWhenListenPIDIsThisProcess() {
        let pid: Int32 = 4242
        #expect(SystemdActivation.listenDescriptors(environment: ["LISTEN_PID": "4242", "LISTEN_FDS": "1"], processID: pid) == [3])
        #expect(
            SystemdActivation.listenDescriptors(environment: ["LISTEN_PID": "4242", "LISTEN_FDS": "3"], processID: pid) == [3, 4, 5])
        #expect(SystemdActivation.firstDescriptor == 3)
    }

    @Test func noDescriptorsWhenListenPIDNamesAnotherProcess() {
        #expect(SystemdActivation.listenDescriptors(environment: ["LISTEN_PID": "4243", "LISTEN_FDS": "1"], processID: 4242).isEmpty)
        // A child that inherited its parent's environment must not grab the parent's sockets.
        let parent = ["LISTEN_PID": "\(getppid())", "LISTEN_FDS": "2"]
        #expect(SystemdActivation.listenDescriptors(environment: parent, processID: getpid()).isEmpty)
    }

    @Test func noDescriptorsWhenListenPIDIsMissingOrBad() {
        let pid: Int32 = 4242
        let none: [[String: String]] = [
            [:],
            ["LISTEN_FDS": "1"],
            ["LISTEN_PID": "", "LISTEN_FDS": "1"],
            ["LISTEN_PID": "me", "LISTEN_FDS": "1"],
            ["LISTEN_PID": "4242"],
            ["LISTEN_PID": "4242", "LISTEN_FDS": "0"],
            ["LISTEN_PID": "4242", "LISTEN_FDS": "-1"],
            ["LISTEN_PID": "4242", "LISTEN_FDS": "many"],
        ]
        for environment in none {
            #expect(SystemdActivation.listenDescriptors(environment: environment, processID: pid).isEmpty, "\(environment)")
        }
    }

    // MARK: The real daemon under systemd-socket-activate

    /// Starts `chatpaneld echo --socket <dir>/own.sock` under `systemd-socket-activate -l
    /// <dir>/act.sock` and waits for the listening socket. Without `--accept` the helper waits
    /// for the first connection, then execs chatpaneld in its own process (same pid) with
    /// LISTEN_PID set to it and LISTEN_FDS=1.
    private func startActivated(in dir: String) async throws -> (daemon: ChildProcess, activated: String, own: String) {
        #expect(access(Binaries.socketActivate, X_OK) == 0, "\(Binaries.socketActivate) is missing (package systemd)")
        let activated = "\(dir)/act.sock"
        let own = "\(dir)/own.sock"
        let daemon = try ChildProcess.spawn(
            Binaries.socketActivate,
            ["-l", activated, Binaries.daemon, "echo", "--socket", own, "--state-dir", "\(dir)/state"],
            environment: childEnvironment(), logPrefix: "\(dir)/activate")
        // The listening socket exists before chatpaneld runs at all.
        let deadline = ContinuousClock.now + .seconds(20)
        while !isSocketFile(activated), ContinuousClock.now < deadline, daemon.isRunning {
            try await Task.sleep(for: .milliseconds(10))
        }
        if !isSocketFile(activated) {
            daemon.kill()
            throw TestFailure("systemd-socket-activate made no socket; stderr:\n\(daemon.standardError)")
        }
        #expect(!daemon.standardError.contains("Execing"), "chatpaneld started before any connection")
        return (daemon, activated, own)
    }

    @Test func daemonServesTheActivatedSocket() async throws {
        try await withTemporaryDirectory { dir in
            let (daemon, activated, own) = try await startActivated(in: dir)
            defer { daemon.kill() }

            // A first connection starts chatpaneld, which then listens on descriptor 3. (The
            // socket file appears when systemd-socket-activate binds it, a moment before it
            // listens: connections are retried until it does.)
            try await waitUntilConnectable(activated, while: daemon)
            try await waitUntilServing(daemon, socket: activated)
            #expect(
                daemon.standardError.contains("rpc.server.listening chatpanel.rpc.listener=activatedDescriptor(3)"),
                "\(daemon.standardError)")

            let text = try await runControl(["health", "--socket", activated], in: dir, name: "health")
            #expect(text.termination == .exited(0), "chatpanelctl health: \(text.termination.map(\.description) ?? "hung"); \(text.stderr)")
            #expect(text.stdout.hasPrefix("echo "), "\(text.stdout)")
            #expect(text.stdout.contains(": SERVING"), "\(text.stdout)")

            let json = try await runControl(["health", "--socket", activated, "--json"], in: dir, name: "health-json")
            #expect(
                json.termination == .exited(0),
                "chatpanelctl health --json: \(json.termination.map(\.description) ?? "hung"); \(json.stderr)")
            #expect(json.stdout.contains("SERVING"), "\(json.stdout)")
            #expect(json.stdout.contains("echo"), "\(json.stdout)")

            // It never bound the path of --socket.
            #expect(!pathExists(own), "chatpaneld bound \(own) although systemd passed a socket")

            daemon.send(SIGTERM)
            let ended = try await daemon.waitForExit(timeout: .seconds(20))
            #expect(ended == .exited(0), "\(ended.map(\.description) ?? "still running"); stderr:\n\(daemon.standardError)")
            #expect(!pathExists(own))
            // systemd owns the activated socket file: the daemon leaves it alone.
            #expect(isSocketFile(activated))
        }
    }

    /// The connection that triggers activation sits in the backlog of descriptor 3 and is
    /// accepted while `RPCServer` is still binding (its state still `.idle`): it must be
    /// served, not refused as if the server were draining.
    @Test func connectionThatActivatesTheDaemonIsAnswered() async throws {
        try await withTemporaryDirectory { dir in
            let (daemon, activated, own) = try await startActivated(in: dir)
            defer { daemon.kill() }

            let health = try await runControl(["health", "--socket", activated], in: dir, name: "health")
            #expect(
                health.termination == .exited(0) && health.stdout.contains(": SERVING"),
                "chatpanelctl health: \(health.termination.map(\.description) ?? "hung"); \(health.stdout) \(health.stderr)")
            try await waitUntilServing(daemon, socket: activated)
            #expect(!pathExists(own))

            daemon.send(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(20)) == .exited(0), "\(daemon.standardError)")
        }
    }

    @Test func daemonIgnoresActivationMeantForAnotherProcess() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/echo.sock"
            // LISTEN_* inherited from some other process (PID 1): the daemon binds its own path.
            let daemon = try spawnEchoDaemon(directory: dir, socket: socket, environment: ["LISTEN_PID": "1", "LISTEN_FDS": "1"])
            defer { daemon.kill() }
            try await waitUntilServing(daemon, socket: socket)
            #expect(daemon.standardError.contains("chatpanel.rpc.listener=path(\"\(socket)\")"), "\(daemon.standardError)")

            let health = try await runControl(["health", "--socket", socket], in: dir, name: "health")
            #expect(health.termination == .exited(0), "\(health.stderr)")
            #expect(health.stdout.contains(": SERVING"), "\(health.stdout)")

            daemon.send(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(20)) == .exited(0))
        }
    }
}

/// What one `chatpanelctl` run printed and how it ended.
struct ControlRun {
    var termination: Termination?
    var stdout: String
    var stderr: String
}

/// Runs `chatpanelctl` with `arguments` to completion (killed after 30 s).
func runControl(_ arguments: [String], in directory: String, name: String) async throws -> ControlRun {
    let control = try ChildProcess.spawn(Binaries.control, arguments, environment: childEnvironment(), logPrefix: "\(directory)/\(name)")
    defer { control.kill() }
    let termination = try await control.waitForExit(timeout: .seconds(30))
    return ControlRun(termination: termination, stdout: control.standardOutput, stderr: control.standardError)
}
