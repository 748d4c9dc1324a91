import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

// Helpers shared by the runtime suites: temporary folders, raw Unix sockets, child processes
// and the built binaries. Everything here is plain POSIX so that the code under test is only
// ever exercised through its public (or @testable) API or the real executables.

/// A failure of a test helper, with what went wrong.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Temporary folders

/// A fresh folder under /tmp with a short name (socket paths must stay under 108 bytes),
/// removed with everything in it when `body` returns or throws.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    var template = Array("/tmp/cprt-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed: errno \(errno)") }
    let path = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Whether something (of any type) exists at `path`, without following symlinks.
func pathExists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
}

/// Whether `path` is a socket file.
func isSocketFile(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK
}

// MARK: - Raw Unix sockets

/// Fills a `sockaddr_un` for `name` (a leading `@` names an abstract socket) and calls `body`
/// with it and its length, the way systemd's `sd_notify` computes it.
func withUnixAddress<T>(_ name: String, _ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) throws -> T {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(name.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard !bytes.isEmpty, bytes.count < capacity else { throw TestFailure("socket name too long (\(bytes.count) bytes): \(name)") }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
        if bytes[0] == UInt8(ascii: "@") { raw[0] = 0 }
    }
    let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
    // Abstract names are exactly their bytes; file paths include the terminating NUL.
    let length = socklen_t(pathOffset + bytes.count + (bytes[0] == UInt8(ascii: "@") ? 0 : 1))
    return try withUnsafePointer(to: &address) { pointer in
        try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
    }
}

/// A bound Unix datagram socket standing in for systemd's `NOTIFY_SOCKET`.
final class DatagramReceiver {
    /// The name senders use: a file path, or `@name` for an abstract socket.
    let name: String
    private var descriptor: Int32

    /// Binds a datagram socket at `name` (a file path or `@abstract`).
    init(name: String) throws {
        self.name = name
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket(AF_UNIX, SOCK_DGRAM) failed: errno \(errno)") }
        let fd = descriptor
        let rc = try withUnixAddress(name) { bind(fd, $0, $1) }
        guard rc == 0 else {
            let error = errno
            _ = Glibc.close(fd)
            descriptor = -1
            throw TestFailure("bind(\(name)) failed: errno \(error)")
        }
    }

    deinit { closeSocket() }

    /// Closes the socket (a file-system socket file stays behind, like a crashed systemd).
    func closeSocket() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    /// The next datagram, or nil when none arrives within `timeout`. Polls briefly and sleeps
    /// in between so that waiting never blocks a thread of the cooperative pool for long.
    func receive(timeout: Duration) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, 0)
            if ready < 0, errno != EINTR { throw TestFailure("poll failed: errno \(errno)") }
            if ready > 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if count >= 0 { return String(decoding: buffer[0..<count], as: UTF8.self) }
                if errno != EAGAIN, errno != EINTR { throw TestFailure("recv failed: errno \(errno)") }
            }
            if ContinuousClock.now >= deadline { return nil }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Receives datagrams until one has the line `line` (like `READY=1`); returns every
    /// datagram seen, the matching one last, or throws when `timeout` passes first.
    func receive(untilLine line: String, timeout: Duration) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        var seen: [String] = []
        while ContinuousClock.now < deadline {
            guard let datagram = try await receive(timeout: deadline - ContinuousClock.now) else { break }
            seen.append(datagram)
            if datagram.notifyLines.contains(line) { return seen }
        }
        throw TestFailure("no datagram with \(line) within \(timeout); got \(seen)")
    }
}

extension String {
    /// The `KEY=value` lines of an sd_notify datagram.
    var notifyLines: [String] { split(separator: "\n").map(String.init) }
}

/// Whether a stream server accepts a connection on the Unix socket at `path` right now.
func canConnect(to path: String) -> Bool {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let rc = (try? withUnixAddress(path) { connect(fd, $0, $1) }) ?? -1
    return rc == 0
}

/// The errno of connecting to the Unix socket at `path`, or 0 when the connect succeeds.
func connectErrno(_ path: String) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return errno }
    defer { close(fd) }
    let rc = (try? withUnixAddress(path) { connect(fd, $0, $1) }) ?? -1
    return rc == 0 ? 0 : errno
}

/// Leaves a stale socket file at `path`, as a server that crashed would: binds a stream socket
/// there, listens, and closes it without unlinking the file.
func makeStaleSocketFile(at path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket failed: errno \(errno)") }
    defer { close(fd) }
    let rc = try withUnixAddress(path) { bind(fd, $0, $1) }
    guard rc == 0, listen(fd, 1) == 0 else { throw TestFailure("bind/listen \(path) failed: errno \(errno)") }
}

/// Waits until a stream server accepts connections at `path`.
func waitUntilConnectable(_ path: String, timeout: Duration = .seconds(20), while child: ChildProcess? = nil) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if canConnect(to: path) { return }
        if let child, let ended = child.poll() { throw TestFailure("\(child.name) exited (\(ended)) before \(path) listened") }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestFailure("\(path) did not accept connections within \(timeout)")
}

/// Waits until `daemon` has logged `rpc.server.listening` (written once its server takes
/// connections; accepting one earlier is a server bug) and `socket` accepts connections.
func waitUntilServing(_ daemon: ChildProcess, socket: String, timeout: Duration = .seconds(20)) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if daemon.standardError.contains("rpc.server.listening"), canConnect(to: socket) { return }
        if let ended = daemon.poll() { throw TestFailure("\(daemon.name) exited (\(ended)); stderr:\n\(daemon.standardError)") }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestFailure("\(daemon.name) was not serving on \(socket) within \(timeout); stderr:\n\(daemon.standardError)")
}

// MARK: - Child processes

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which the Glibc module does not
/// export: closes every descriptor from the given one up in the child.
private let closeFromAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
    return unsafeBitCast(
        symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}()

/// How a child process ended.
enum Termination: Equatable, CustomStringConvertible {
    /// It called exit with this status.
    case exited(Int32)
    /// A signal killed it.
    case signaled(Int32)

    var description: String {
        switch self {
        case .exited(let status): "exit status \(status)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }
}

/// A process spawned with `posix_spawn`: default signal dispositions and an empty signal mask
/// (whatever the test runner did to its own), stdin from /dev/null, stdout and stderr to files,
/// and no inherited descriptors past stderr. Use `defer { child.kill() }` right after spawning.
final class ChildProcess {
    /// The executable's file name, for messages.
    let name: String
    /// The process id.
    let pid: pid_t
    /// Where its standard output goes.
    let stdoutPath: String
    /// Where its standard error goes.
    let stderrPath: String
    private var termination: Termination?

    private init(name: String, pid: pid_t, stdoutPath: String, stderrPath: String) {
        self.name = name
        self.pid = pid
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }

    /// Starts `path` with `arguments` and exactly `environment`; output goes to
    /// `<logPrefix>.out` and `<logPrefix>.err`.
    static func spawn(_ path: String, _ arguments: [String], environment: [String: String], logPrefix: String) throws -> ChildProcess {
        guard access(path, X_OK) == 0 else { throw TestFailure("\(path) is not an executable (errno \(errno)); build it first") }
        let stdoutPath = logPrefix + ".out"
        let stderrPath = logPrefix + ".err"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw TestFailure("posix_spawn \(path) failed: errno \(rc)") }
        return ChildProcess(
            name: URL(fileURLWithPath: path).lastPathComponent, pid: pid, stdoutPath: stdoutPath, stderrPath: stderrPath)
    }

    /// Whether it has not been seen to exit yet.
    var isRunning: Bool { poll() == nil }

    /// How it ended, when it has (reaps it without blocking).
    @discardableResult
    func poll() -> Termination? {
        if let termination { return termination }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        guard rc == pid else { return nil }
        termination = Self.decode(status)
        return termination
    }

    /// Sends `signal` to a process that has not been reaped yet.
    func send(_ signal: Int32) {
        guard poll() == nil else { return }
        _ = Glibc.kill(pid, signal)
    }

    /// How it ended, or nil when it is still running after `timeout`.
    func waitForExit(timeout: Duration) async throws -> Termination? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let ended = poll() { return ended }
            try await Task.sleep(for: .milliseconds(10))
        }
        return poll()
    }

    /// Kills it with SIGKILL (unless it already ended) and reaps it. Safe to call twice.
    func kill() {
        guard termination == nil else { return }
        if poll() != nil { return }
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        termination = Self.decode(status)
    }

    /// Everything written to its standard output so far.
    var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    /// Everything written to its standard error so far.
    var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    private static func decode(_ status: Int32) -> Termination {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }
}

/// The environment of the test runner without anything that would make a child think systemd
/// started it (or pick up a developer's ChatPanel settings), plus `extra`.
func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    let dropped = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "STATE_DIRECTORY"]
    var environment = ProcessInfo.processInfo.environment.filter { key, _ in
        !dropped.contains(key) && !key.hasPrefix("CHATPANEL_")
    }
    environment.merge(extra) { _, new in new }
    return environment
}

// MARK: - Built binaries

/// The executables of this package, found next to the test bundle: `swift build --build-tests`
/// puts `chatpaneld`, `chatpanelctl` and `chatpanelPackageTests.xctest` in the same folder,
/// whatever `--scratch-path` says.
enum Binaries {
    /// The folder holding the test bundle (the running executable).
    static let directory: String = {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().path)
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path)
        // Last resort: the default scratch folder of the package this file is in.
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug").path)
        return candidates.first { access("\($0)/chatpaneld", X_OK) == 0 } ?? candidates[0]
    }()

    /// `chatpaneld`.
    static var daemon: String { "\(directory)/chatpaneld" }
    /// `chatpanelctl`.
    static var control: String { "\(directory)/chatpanelctl" }
    /// systemd's socket-activation helper.
    static let socketActivate = "/usr/bin/systemd-socket-activate"
}

/// Starts `chatpaneld echo` on `socket` with `extraEnvironment`; the caller kills it (defer).
func spawnEchoDaemon(
    directory: String, socket: String, arguments: [String] = [], environment extraEnvironment: [String: String] = [:],
    logName: String = "echo"
) throws -> ChildProcess {
    try ChildProcess.spawn(
        Binaries.daemon, ["echo", "--socket", socket, "--state-dir", "\(directory)/state"] + arguments,
        environment: childEnvironment(extraEnvironment), logPrefix: "\(directory)/\(logName)")
}
