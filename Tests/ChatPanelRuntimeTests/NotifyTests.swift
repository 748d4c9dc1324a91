import ChatPanelSystem
import ChatPanelTesting
import Foundation
import Testing

@testable import ChatPanelRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// `sd_notify`: `SystemdNotifier` delivers its state strings to a datagram socket (file or
/// abstract), `SystemdLifecycleService` reads its watchdog period from the environment, and the
/// real `chatpaneld echo` says READY=1 only once its socket accepts connections, pings the
/// watchdog every WATCHDOG_USEC/2, and says STOPPING=1 before a clean exit on SIGTERM.
@Suite(.timeLimit(.minutes(2)))
struct NotifyTests {
    /// Where the test's stand-in for systemd listens.
    enum NotifyAddress: String, CaseIterable, CustomTestStringConvertible {
        case file, abstract
        var testDescription: String { rawValue }

        func name(in directory: String) -> String {
            switch self {
            case .file: "\(directory)/notify.sock"
            case .abstract: "@cprt-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            }
        }
    }

    // MARK: SystemdNotifier

    @Test(arguments: NotifyAddress.allCases)
    func notifierDeliversTheStateString(address: NotifyAddress) async throws {
        try await withTemporaryDirectory { dir in
            let receiver = try DatagramReceiver(name: address.name(in: dir))
            let notifier = SystemdNotifier(socketPath: receiver.name)
            #expect(notifier.isEnabled)

            #expect(notifier.notify("READY=1") == nil)
            #expect(try await receiver.receive(timeout: .seconds(5)) == "READY=1")

            // Several assignments in one datagram arrive byte for byte, newline included.
            #expect(notifier.notify("STOPPING=1\nSTATUS=draining") == nil)
            let second = try await receiver.receive(timeout: .seconds(5))
            #expect(second == "STOPPING=1\nSTATUS=draining")
            #expect(second?.notifyLines == ["STOPPING=1", "STATUS=draining"])

            // Nothing else was sent.
            #expect(try await receiver.receive(timeout: .milliseconds(50)) == nil)
        }
    }

    @Test func notifierFromEnvironmentUsesNotifySocket() async throws {
        try await withTemporaryDirectory { dir in
            let receiver = try DatagramReceiver(name: "\(dir)/n.sock")
            let notifier = SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": receiver.name, "WATCHDOG_USEC": "1"])
            #expect(notifier.socketPath == receiver.name)
            #expect(notifier.notify("WATCHDOG=1") == nil)
            #expect(try await receiver.receive(timeout: .seconds(5)) == "WATCHDOG=1")
        }
    }

    @Test func notifierWithoutSocketIsDisabledAndSilent() {
        for notifier in [SystemdNotifier(socketPath: nil), SystemdNotifier(socketPath: ""), .fromEnvironment([:])] {
            #expect(!notifier.isEnabled)
            #expect(notifier.socketPath == nil)
            #expect(notifier.notify("READY=1") == nil)
        }
    }

    @Test func notifierReportsTheErrnoWhenDeliveryFails() async throws {
        try await withTemporaryDirectory { dir in
            // Nobody has ever bound this path.
            #expect(SystemdNotifier(socketPath: "\(dir)/missing.sock").notify("READY=1") == ENOENT)

            // A socket file whose owner went away (systemd restarted).
            let receiver = try DatagramReceiver(name: "\(dir)/gone.sock")
            receiver.closeSocket()
            #expect(isSocketFile("\(dir)/gone.sock"))
            // A child that a parallel test spawns at this moment holds the socket until its exec.
            let notifier = SystemdNotifier(socketPath: "\(dir)/gone.sock")
            _ = await eventually(timeout: .seconds(5)) { notifier.notify("READY=1") == ECONNREFUSED }
            #expect(notifier.notify("READY=1") == ECONNREFUSED)

            // Longer than sun_path can hold.
            let long = "/tmp/" + String(repeating: "x", count: 200)
            #expect(SystemdNotifier(socketPath: long).notify("READY=1") == EINVAL)
        }
    }

    // MARK: Watchdog period

    @Test func watchdogPeriodComesFromWatchdogUsec() {
        let pid: Int32 = 4242
        #expect(SystemdLifecycleService.watchdogMicroseconds(environment: ["WATCHDOG_USEC": "200000"], processID: pid) == 200_000)
        #expect(
            SystemdLifecycleService.watchdogMicroseconds(environment: ["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "4242"], processID: pid)
                == 200_000)
    }

    @Test func watchdogIsOffWhenNotMeantForThisProcess() {
        let pid: Int32 = 4242
        let off: [[String: String]] = [
            [:],
            ["WATCHDOG_USEC": "0"],
            ["WATCHDOG_USEC": "-5"],
            ["WATCHDOG_USEC": "soon"],
            ["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "4243"],
            ["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "not-a-pid"],
        ]
        for environment in off {
            #expect(SystemdLifecycleService.watchdogMicroseconds(environment: environment, processID: pid) == nil, "\(environment)")
        }
    }

    // MARK: The real daemon

    @Test(arguments: NotifyAddress.allCases)
    func daemonNotifiesReadyWatchdogAndStopping(address: NotifyAddress) async throws {
        try await withTemporaryDirectory { dir in
            let receiver = try DatagramReceiver(name: address.name(in: dir))
            let socket = "\(dir)/echo.sock"
            let daemon = try spawnEchoDaemon(
                directory: dir, socket: socket, environment: ["NOTIFY_SOCKET": receiver.name, "WATCHDOG_USEC": "200000"])
            defer { daemon.kill() }

            // READY=1 comes once the socket accepts connections, not before.
            let beforeReady = try await receiver.receive(untilLine: "READY=1", timeout: .seconds(30))
            let connectableAtReady = canConnect(to: socket)
            #expect(connectableAtReady, "READY=1 arrived but \(socket) refused a connection")
            #expect(beforeReady.count == 1, "datagrams before READY=1: \(beforeReady)")
            #expect(beforeReady.last?.notifyLines.contains("STATUS=serving") == true)
            #expect(isSocketFile(socket))

            // WATCHDOG=1 every 100 ms (half of WATCHDOG_USEC): at least three in two seconds.
            var pings = 0
            let window = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < window, let datagram = try await receiver.receive(timeout: window - ContinuousClock.now) {
                #expect(datagram == "WATCHDOG=1", "unexpected datagram while serving: \(datagram)")
                if datagram == "WATCHDOG=1" { pings += 1 }
            }
            #expect(pings >= 3, "only \(pings) WATCHDOG=1 pings in 2 s with WATCHDOG_USEC=200000")
            #expect(pings <= 40, "\(pings) WATCHDOG=1 pings in 2 s: far more often than every 100 ms")
            #expect(daemon.isRunning)

            // SIGTERM: STOPPING=1, then a clean exit that removes the socket file.
            daemon.send(SIGTERM)
            let afterTerm = try await receiver.receive(untilLine: "STOPPING=1", timeout: .seconds(20))
            #expect(afterTerm.last?.notifyLines.contains("STATUS=draining") == true)
            #expect(afterTerm.dropLast().allSatisfy { $0 == "WATCHDOG=1" }, "\(afterTerm)")
            let ended = try await daemon.waitForExit(timeout: .seconds(20))
            #expect(ended == .exited(0), "chatpaneld: \(ended.map(\.description) ?? "still running"); stderr:\n\(daemon.standardError)")
            #expect(!pathExists(socket), "\(socket) was left behind")
            // Whatever was still queued is at most a ping that raced STOPPING=1, never READY=1.
            while let late = try await receiver.receive(timeout: .milliseconds(100)) {
                #expect(late == "WATCHDOG=1", "late datagram: \(late)")
            }
        }
    }

    @Test func daemonSendsNoPingsWhenTheWatchdogIsForAnotherProcess() async throws {
        try await withTemporaryDirectory { dir in
            let receiver = try DatagramReceiver(name: "\(dir)/notify.sock")
            let socket = "\(dir)/echo.sock"
            // PID 1 is never the daemon: systemd meant the watchdog for someone else.
            let daemon = try spawnEchoDaemon(
                directory: dir, socket: socket,
                environment: ["NOTIFY_SOCKET": receiver.name, "WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"])
            defer { daemon.kill() }

            _ = try await receiver.receive(untilLine: "READY=1", timeout: .seconds(30))
            #expect(try await receiver.receive(timeout: .milliseconds(700)) == nil, "a datagram arrived though the watchdog is off")

            daemon.send(SIGTERM)
            let afterTerm = try await receiver.receive(untilLine: "STOPPING=1", timeout: .seconds(20))
            #expect(afterTerm.count == 1, "\(afterTerm)")
            let ended = try await daemon.waitForExit(timeout: .seconds(20))
            #expect(ended == .exited(0), "stderr:\n\(daemon.standardError)")
        }
    }
}
