import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Gateway
import Testing

/// A dead upstream costs only its own widgets, and fast: the tasks service is absent (nothing
/// listens at its socket), the base client block is still served (PANEL-5, resilience).
@Suite("Gateway: a stopped service")
struct DegradationTests {
    /// The panel of `dialog`, checked to come well within the 30 s panel deadline the tests set
    /// (a stopped service fails its widgets at once, it is not waited for).
    private static func panelWellWithinItsDeadline(_ h: GatewayHarness, _ dialog: String) async throws -> GatewayV1.Panel {
        let started = ContinuousClock.now
        let panel = try await h.panel(dialog)
        let elapsed = started.duration(to: .now)
        #expect(elapsed < .seconds(15), "the panel took \(elapsed) with a 30 s panel deadline")
        return panel
    }

    @Test("tasks service stopped: tasks and notes UNAVAILABLE, client block OK, well within the deadline")
    func tasksServiceStopped() async throws {
        // A long panel deadline, so that "did not wait for the deadline" holds with a wide
        // margin even on a busy machine (under the address sanitizer, beside the whole suite
        // running in parallel, this panel once took 2.8 s; alone it takes a quarter of a second).
        try await withGateway(tasksRunning: false, configure: { $0.panelTimeout = .seconds(30) }) { h in
            let clientID = try await h.savedClient("d-down")
            try await h.tag("VIP", on: clientID)

            let panel = try await Self.panelWellWithinItsDeadline(h, "d-down")

            #expect(panel.client?.state == .ok)
            let card = try #require(panel.client).card()
            #expect(card.client?.clientID == clientID)
            #expect(panel.widget(.tags)?.state == .ok)
            for kind: GatewayV1.WidgetKind in [.tasks, .notes] {
                let widget = try #require(panel.widget(kind))
                #expect(widget.state == .unavailable, "\(kind): \(widget.state) \(widget.reason)")
                #expect(!widget.reason.isEmpty)
                #expect(widget.data.isEmpty)
            }
        }
    }

    @Test("orders and insights services stopped: their five widgets UNAVAILABLE, the rest OK, an order action UNAVAILABLE")
    func ordersAndInsightsStopped() async throws {
        try await withTemporaryDirectory { absent in
            try await withGateway(configure: {
                $0.panelTimeout = .seconds(30)
                $0.upstreamSockets[UpstreamDescriptor.orders.name] = "\(absent)/orders.sock"
                $0.upstreamSockets[UpstreamDescriptor.insights.name] = "\(absent)/insights.sock"
            }) { h in
                var settings = GatewayV1.UpdateSettingsRequest()
                settings.summaryBotEnabled = true
                settings.siteChatEnabled = true
                _ = try await h.call(GatewayV1.Gateway.updateSettings, settings, as: As.admin)
                let clientID = try await h.savedClient("d-half")
                try await h.tag("VIP", on: clientID)

                let panel = try await Self.panelWellWithinItsDeadline(h, "d-half")

                #expect(panel.client?.state == .ok)
                for kind: GatewayV1.WidgetKind in [.tags, .tasks, .notes] {
                    #expect(panel.widget(kind)?.state == .ok, "\(kind): \(String(describing: panel.widget(kind)))")
                }
                for (kind, socket) in [(GatewayV1.WidgetKind.products, "orders"), (.order, "orders"), (.cart, "orders"), (.summary, "insights"), (.visit, "insights")] {
                    let widget = try #require(panel.widget(kind))
                    #expect(widget.state == .unavailable, "\(kind): \(widget.state) \(widget.reason)")
                    #expect(widget.reason.contains("\(absent)/\(socket).sock"), "\(kind): \(widget.reason)")
                    #expect(widget.data.isEmpty)
                }

                // An action on a stopped service is refused as unavailable, naming the service.
                var create = OrdersV1.CreateOrderRequest()
                create.clientID = clientID
                let refused = await expectError(.unavailable) {
                    _ = try await h.act(dialog: "d-half", OrdersV1.Orders.createOrder.path, create)
                }
                #expect(refused?.message.contains("orders") == true, "\(String(describing: refused))")
                // The services that are up still act.
                var note = TasksV1.CreateNoteRequest()
                note.clientID = clientID
                note.text = "Перезвонить, когда заказы снова откроются"
                let answer = try await h.act(dialog: "d-half", TasksV1.Tasks.createNote.path, note)
                #expect(try TasksV1.CreateNoteResponse(serializedBytes: answer.response).note?.text == note.text)
            }
        }
    }

    @Test("repeated failures open the tasks breaker: later panels say so and the health check reports it")
    func breakerOpens() async throws {
        try await withGateway(
            tasksRunning: false,
            configure: {
                $0.breaker.failureThreshold = 2; $0.breaker.openDuration = .seconds(30)
            }
        ) { h in
            try await h.savedClient("d-breaker")
            _ = try await h.panel("d-breaker")
            _ = try await h.panel("d-breaker")
            let panel = try await h.panel("d-breaker")
            let tasks = try #require(panel.widget(.tasks))
            #expect(tasks.state == .unavailable)
            #expect(tasks.reason.contains("circuit open"), "\(tasks.reason)")
            #expect(panel.client?.state == .ok)
            if case .open = h.gateway.tasks.breaker.currentState {
            } else {
                Issue.record("the tasks breaker is \(h.gateway.tasks.breaker.currentState), expected open")
            }

            let health = try await h.call(HealthV1.Health.check, HealthV1.HealthCheckRequest())
            let tasksHealth = try #require(health.components.first { $0.name == "tasks" })
            #expect(tasksHealth.status == .notServing)

            // The metrics say the same (other suites in this process only add to the counters).
            let metrics = try await h.call(MetricsV1.Metrics.scrape, MetricsV1.ScrapeRequest()).text
            #expect(sample(metrics, #"chatpanel_gateway_widgets_total{widget="tasks",state="unavailable"}"#) >= 3, "\(metrics)")
            #expect(sample(metrics, #"chatpanel_gateway_widgets_total{widget="tags",state="ok"}"#) >= 3)
            #expect(sample(metrics, #"chatpanel_gateway_upstream_breaker_opened_total{upstream="tasks"}"#) >= 1)
            #expect(sample(metrics, #"chatpanel_gateway_upstream_calls_total{upstream="tasks",code="UNAVAILABLE"}"#) >= 2)
            #expect(metrics.contains(#"chatpanel_gateway_upstream_call_duration_seconds_count{upstream="clients"}"#))
            #expect(metrics.contains(#"chatpanel_gateway_upstream_breaker_state{upstream="tasks"}"#))
            // The clients upstream is not touched by the tasks breaker. Its health probe has a
            // 300 ms deadline, which a loaded machine may miss once: asked again until it answers.
            try await waitUntil("the clients upstream reported serving") {
                let again = try await h.call(HealthV1.Health.check, HealthV1.HealthCheckRequest())
                return again.components.first { $0.name == "clients" }?.status == .serving
            }
        }
    }
}

/// Rights and settings decide a widget's state: FORBIDDEN without the tasks right (TASK-4),
/// DISABLED when a setting switches it off (PANEL-4); only administrators change settings.
@Suite("Gateway: forbidden and disabled widgets")
struct RightsAndSettingsTests {
    @Test("a caller without RIGHT_TASKS gets the tasks widget FORBIDDEN, the rest served")
    func tasksForbidden() async throws {
        try await withGateway { h in
            let clientID = try await h.savedClient("d-rights")
            try await h.task("Call back", client: clientID, performer: As.manager.managerID)
            let panel = try await h.panel("d-rights", as: As.noTasks)
            let tasks = try #require(panel.widget(.tasks))
            #expect(tasks.state == .forbidden)
            #expect(tasks.data.isEmpty)
            #expect(!tasks.reason.isEmpty)
            #expect(panel.client?.state == .ok)
            #expect(panel.widget(.tags)?.state == .ok)
        }
    }

    @Test("UpdateSettings needs RIGHT_ADMIN; switching the tasks widget off makes it DISABLED")
    func settingsDisableTasks() async throws {
        try await withGateway { h in
            let clientID = try await h.savedClient("d-settings")
            try await h.task("Call back", client: clientID, performer: As.manager.managerID)

            let defaults = try await h.call(GatewayV1.Gateway.getSettings, GatewayV1.GetSettingsRequest())
            #expect(defaults.tasksWidgetEnabled)
            #expect(!defaults.summaryBotEnabled)
            #expect(!defaults.siteChatEnabled)

            var off = GatewayV1.UpdateSettingsRequest()
            var settings = defaults
            settings.tasksWidgetEnabled = false
            off.settings = settings
            await expectError(.permissionDenied) { try await h.call(GatewayV1.Gateway.updateSettings, off, as: As.manager) }
            let unchanged = try await h.call(GatewayV1.Gateway.getSettings, GatewayV1.GetSettingsRequest())
            #expect(unchanged.tasksWidgetEnabled)

            let updated = try await h.call(GatewayV1.Gateway.updateSettings, off, as: As.admin)
            #expect(!updated.tasksWidgetEnabled)
            let stored = try await h.call(GatewayV1.Gateway.getSettings, GatewayV1.GetSettingsRequest())
            #expect(!stored.tasksWidgetEnabled)

            let panel = try await h.panel("d-settings")
            let tasks = try #require(panel.widget(.tasks))
            #expect(tasks.state == .disabled)
            #expect(tasks.reason.contains("switched off"), "\(tasks.reason)")
            #expect(panel.widget(.notes)?.state == .ok)
        }
    }
}

/// The value of the sample line that starts with `prefix` (0 when absent).
func sample(_ text: String, _ prefix: String) -> Double {
    for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
        if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
    }
    return 0
}
