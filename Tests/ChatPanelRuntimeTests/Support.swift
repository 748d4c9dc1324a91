import ChatPanelTesting
import ChatPanelSystem
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
    var ended: Termination?
    var connectable = false
    _ = await eventually(timeout: timeout) {
        connectable = canConnect(to: path)
        if !connectable { ended = child?.poll() }
        return connectable || ended != nil
    }
    if connectable { return }
    if let child, let ended { throw TestFailure("\(child.name) exited (\(ended)) before \(path) listened") }
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

/// Starts `chatpaneld echo` on `socket` with `extraEnvironment`; the caller kills it (defer).
func spawnEchoDaemon(
    directory: String, socket: String, arguments: [String] = [], environment extraEnvironment: [String: String] = [:],
    logName: String = "echo"
) throws -> ChildProcess {
    try ChildProcess.spawn(
        Binaries.daemon, ["echo", "--socket", socket, "--state-dir", "\(directory)/state"] + arguments,
        environment: childEnvironment(extraEnvironment), logPrefix: "\(directory)/\(logName)")
}
