import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Gateway
import Testing

/// The gateway with a fault proxy between it and the tasks service: whatever the wire does
/// (a response cut in half, a reset in the middle of one, delays past the deadline, a stall,
/// connections dropped or flapping), a panel shows every widget with a state, never a
/// half-parsed answer; the client block is unaffected; breakers open on a silent upstream and
/// close again through the health check, with no retry storm (at most one request frame per
/// panel reaches the tasks service).
@Suite("Gateway: faults on the wire to a service", .timeLimit(.minutes(2)))
struct FaultProxyTests {
    private func expectTasksWidget(_ panel: GatewayV1.Panel, _ state: GatewayV1.WidgetState, _ context: String) throws {
        #expect(panel.client?.state == .ok, "\(context): the client block is \(String(describing: panel.client?.state))")
        let tasks = try #require(panel.widget(.tasks))
        #expect(tasks.state == state, "\(context): tasks \(tasks.state) \(tasks.reason)")
        if state != .ok { #expect(tasks.data.isEmpty, "\(context): a failed widget carries data") }
    }

    @Test("a response cut in half or reset midway: the tasks widget UNAVAILABLE, then OK once the wire is sound")
    func cutAndReset() async throws {
        try await withGateway(tasksThroughProxy: true, configure: { $0.panelTimeout = .seconds(3) }) { h in
            let proxy = try #require(h.tasksProxy)
            let clientID = try await h.savedClient("d-cut")
            try await h.note("call back", client: clientID)
            try expectTasksWidget(try await h.panel("d-cut"), .ok, "sound wire")
            for fault in [FaultProxy.Fault.cutResponse, .resetMidResponse] {
                proxy.fault = fault
                try expectTasksWidget(try await h.panel("d-cut"), .unavailable, "\(fault)")
                proxy.fault = .none
                let recovered = await eventually(timeout: .seconds(10)) {
                    (try? await h.panel("d-cut"))?.widget(.tasks)?.state == .ok
                }
                #expect(recovered, "the tasks widget did not come back after \(fault)")
            }
        }
    }

    @Test("delays past the deadline: the tasks widget TIMED_OUT within the panel deadline, the client block OK")
    func delayed() async throws {
        // A panel deadline with room for a busy machine, and a delay far beyond it.
        try await withGateway(tasksThroughProxy: true, configure: { $0.panelTimeout = .seconds(2) }) { h in
            let proxy = try #require(h.tasksProxy)
            try await h.savedClient("d-slow")
            proxy.fault = .delay(.seconds(8))
            let started = ContinuousClock.now
            try expectTasksWidget(try await h.panel("d-slow"), .timedOut, "delayed")
            #expect(started.duration(to: .now) < .seconds(6), "the panel waited for the delayed answer")
        }
    }

    @Test("a stalled service opens the breaker without a retry storm; the health check closes it once the service answers")
    func stalled() async throws {
        try await withGateway(
            tasksThroughProxy: true,
            configure: {
                $0.panelTimeout = .milliseconds(1500)
                $0.breaker.failureThreshold = 2
                $0.breaker.openDuration = .seconds(5)  // stays open across the next panel on a loaded machine
            }
        ) { h in
            let proxy = try #require(h.tasksProxy)
            try await h.savedClient("d-stall")
            // Before the stall, a panel with the tasks widget OK: on a loaded machine the first
            // panel may miss its deadline, and a success resets the breaker's count of failures.
            let soundBefore = await eventually(timeout: .seconds(20)) {
                (try? await h.panel("d-stall"))?.widget(.tasks)?.state == .ok
            }
            #expect(soundBefore, "the tasks widget was never OK before the stall")
            proxy.fault = .stall
            let framesBefore = proxy.requestFrames
            for _ in 0..<2 { try expectTasksWidget(try await h.panel("d-stall"), .timedOut, "stalled") }
            // Open: the next panels do not call the tasks service at all.
            let open = try await h.panel("d-stall")
            try expectTasksWidget(open, .unavailable, "breaker open")
            #expect(open.widget(.tasks)?.reason.contains("circuit open") == true, "\(String(describing: open.widget(.tasks)?.reason))")
            // At most one request frame per panel reached the service (none while open).
            #expect(proxy.requestFrames - framesBefore <= 2, "\(proxy.requestFrames - framesBefore) request frames for 3 panels")

            proxy.fault = .none
            let healthy = await eventually(timeout: .seconds(10)) {
                let health = try? await h.call(HealthV1.Health.check, HealthV1.HealthCheckRequest())
                return health?.components.first { $0.name == "tasks" }?.status == .serving
            }
            #expect(healthy, "the health check never found the tasks service serving again")
            try expectTasksWidget(try await h.panel("d-stall"), .ok, "after the stall")
        }
    }

    @Test("connections dropped or flapping: every panel answers with a state per widget, and the tasks widget comes back")
    func droppedAndFlapping() async throws {
        try await withGateway(tasksThroughProxy: true, configure: { $0.panelTimeout = .seconds(2) }) { h in
            let proxy = try #require(h.tasksProxy)
            try await h.savedClient("d-flap")
            proxy.fault = .drop
            try expectTasksWidget(try await h.panel("d-flap"), .unavailable, "dropped")
            proxy.fault = .flap
            for _ in 0..<6 {
                let panel = try await h.panel("d-flap")
                let state = try #require(panel.widget(.tasks)?.state)
                #expect([.ok, .unavailable].contains(state), "flapping: \(state)")
                #expect(panel.client?.state == .ok)
            }
            proxy.fault = .none
            let recovered = await eventually(timeout: .seconds(10)) {
                (try? await h.panel("d-flap"))?.widget(.tasks)?.state == .ok
            }
            #expect(recovered, "the tasks widget did not come back after the flapping")
        }
    }
}
