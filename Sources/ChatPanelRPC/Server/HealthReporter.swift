public import ChatPanelProto
import Synchronization

/// Answers `chatpanel.health.v1.Health` for a process: its name, version, uptime, calls in
/// flight, and the state of each component it depends on (database, upstream services).
public final class HealthReporter: Sendable {
    /// The process name, like `clients`.
    public let process: String
    /// The build's version.
    public let version: String
    private let started = ContinuousClock.now
    private let components: @Sendable () async -> [HealthV1.ComponentHealth]

    /// A reporter; `components` is asked on every check.
    public init(
        process: String, version: String = ChatPanelVersion.current,
        components: @escaping @Sendable () async -> [HealthV1.ComponentHealth] = { [] }
    ) {
        self.process = process
        self.version = version
        self.components = components
    }

    /// The current health; the process is SERVING when every component is.
    func check(service: String, callsInFlight: Int) async -> HealthV1.HealthCheckResponse {
        var response = HealthV1.HealthCheckResponse()
        response.process = process
        response.version = version
        response.uptimeMs = UInt64(max(0, started.duration(to: .now).milliseconds))
        response.callsInFlight = UInt32(clamping: max(0, callsInFlight))
        let all = await components()
        if service.isEmpty {
            response.components = all
            response.status = all.allSatisfy { $0.status == .serving } ? .serving : .notServing
        } else if let component = all.first(where: { $0.name == service }) {
            response.components = [component]
            response.status = component.status
        } else {
            response.status = .serviceUnknown
        }
        return response
    }

    func makeRouter(callsInFlight counters: ServerCounters) -> RPCRouter {
        var router = RPCRouter()
        router.register(HealthV1.Health.check, group: nil) { request, _ in
            // The check itself is in flight: do not report it as load.
            await self.check(service: request.service, callsInFlight: counters.callsInFlight.load(ordering: .relaxed) - 1)
        }
        router.register(HealthV1.Health.watch, group: nil) { request, writer, _ in
            var last: HealthV1.ServingStatus? = nil
            while !Task.isCancelled {
                let now = await self.check(service: request.service, callsInFlight: counters.callsInFlight.load(ordering: .relaxed) - 1)
                if now.status != last {
                    try await writer.send(now)
                    last = now.status
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        return router
    }
}

extension HealthV1.ComponentHealth {
    /// A component's state.
    public init(name: String, status: HealthV1.ServingStatus, detail: String = "") {
        self.init()
        self.name = name
        self.status = status
        self.detail = detail
    }
}

/// The version of this build.
public enum ChatPanelVersion {
    /// The version string reported by health checks and `--version`.
    public static let current = "0.1.0"
}
