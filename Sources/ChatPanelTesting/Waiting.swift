import ChatPanelProto
import ChatPanelRPC

/// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it held.
public func eventually(
    timeout: Duration = .seconds(3), every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}

/// Waits until the process at `socket` answers `Health/Check` (whatever its status: a gateway
/// answers NOT_SERVING while an upstream is away); throws after
/// `timeout`, or as soon as `child` (when given) has exited, with its standard error.
public func waitUntilHealthy(socket: String, timeout: Duration = .seconds(30), while child: ChildProcess? = nil) async throws {
    var configuration = RPCClientConfiguration(socketPath: socket)
    configuration.connectTimeout = .milliseconds(200)
    var exited = false
    let healthy = await eventually(timeout: timeout, every: .milliseconds(50)) {
        if let child, child.poll() != nil {
            exited = true
            return true
        }
        let client = RPCClient(configuration: configuration)
        let response = try? await client.unary(
            HealthV1.Health.check, HealthV1.HealthCheckRequest(), options: RPCCallOptions(timeout: .milliseconds(500)))
        await client.close()
        return response != nil
    }
    let who = child?.name ?? "nothing"
    if exited, let child { throw TestSupportFailure("\(child.name) exited early; stderr:\n\(child.standardError)") }
    guard healthy else {
        throw TestSupportFailure("\(who) did not answer on \(socket) within \(timeout); stderr:\n\(child?.standardError ?? "")")
    }
}
