import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import Gateway
import Testing

/// Per-manager layouts (PANEL-2, PANEL-3): the default one, versioned updates that reorder and
/// hide widgets in GetPanel, ABORTED with the current layout for a stale version, and the base
/// block kept out of the layout.
@Suite("Gateway: layouts")
struct LayoutTests {
    private func update(
        _ h: GatewayHarness, base: UInt64, _ widgets: [GatewayV1.WidgetLayout], as caller: RPCV1.Caller = As.newcomer
    ) async throws -> GatewayV1.Layout {
        var request = GatewayV1.UpdateLayoutRequest()
        request.baseVersion = base
        request.widgets = widgets
        return try await h.call(GatewayV1.Gateway.updateLayout, request, as: caller)
    }

    @Test("a new manager gets the default layout: every widget shown and expanded, version 0")
    func defaultLayout() async throws {
        try await withGateway { h in
            let layout = try await h.call(GatewayV1.Gateway.getLayout, GatewayV1.GetLayoutRequest(), as: As.newcomer)
            #expect(layout.isDefault)
            #expect(layout.version == 0)
            #expect(layout.managerID == As.newcomer.managerID)
            #expect(layout.widgets.map(\.kind) == GatewayStore.defaultWidgetOrder)
            #expect(layout.widgets.allSatisfy { $0.visible && !$0.collapsed })
            #expect(!layout.widgets.contains { $0.kind == .client })
        }
    }

    @Test("an update on the current version bumps it and reorders, hides and collapses widgets in GetPanel")
    func updateReordersPanel() async throws {
        try await withGateway { h in
            try await h.savedClient("d-layout")
            let updated = try await update(
                h, base: 0,
                [
                    GatewayV1.WidgetLayout(kind: .notes, visible: true, collapsed: false),
                    GatewayV1.WidgetLayout(kind: .tasks, visible: true, collapsed: true),
                    GatewayV1.WidgetLayout(kind: .tags, visible: false, collapsed: false),
                    GatewayV1.WidgetLayout(kind: .products, visible: true, collapsed: false),
                ])
            #expect(updated.version == 1)
            #expect(!updated.isDefault)
            #expect(Array(updated.widgets.prefix(4).map(\.kind)) == [.notes, .tasks, .tags, .products])
            // Kinds left out keep their place at the end, hidden.
            #expect(Set(updated.widgets.dropFirst(4).map(\.kind)) == [.order, .cart, .summary, .visit])
            #expect(updated.widgets.dropFirst(4).allSatisfy { !$0.visible })

            let stored = try await h.call(GatewayV1.Gateway.getLayout, GatewayV1.GetLayoutRequest(), as: As.newcomer)
            #expect(stored.version == 1)
            #expect(stored.widgets == updated.widgets)

            let panel = try await h.panel("d-layout", as: As.newcomer)
            #expect(panel.layoutVersion == 1)
            #expect(panel.client?.state == .ok)
            #expect(panel.widgets.map(\.kind) == [.notes, .tasks, .products])
            #expect(panel.widget(.tasks)?.collapsed == true)
            #expect(panel.widget(.tasks)?.state == .ok)
            #expect(panel.widget(.notes)?.collapsed == false)

            // Another manager still has the default.
            let other = try await h.panel("d-layout", as: As.manager)
            #expect(other.layoutVersion == 0)
            #expect(other.widgets.map(\.kind) == GatewayStore.defaultWidgetOrder)

            let second = try await update(h, base: 1, [GatewayV1.WidgetLayout(kind: .tags, visible: true, collapsed: false)])
            #expect(second.version == 2)
        }
    }

    @Test("a stale base_version is ABORTED with the current layout in the details")
    func staleVersion() async throws {
        try await withGateway { h in
            let first = try await update(h, base: 0, [GatewayV1.WidgetLayout(kind: .notes, visible: true, collapsed: false)])
            #expect(first.version == 1)
            let error = await expectError(.aborted) {
                try await update(h, base: 0, [GatewayV1.WidgetLayout(kind: .tasks, visible: true, collapsed: false)])
            }
            let current = try #require(error?.decodedDetails(as: GatewayV1.Layout.self))
            #expect(current.version == 1)
            #expect(current.widgets.first?.kind == .notes)
            #expect(current.managerID == As.newcomer.managerID)

            let unchanged = try await h.call(GatewayV1.Gateway.getLayout, GatewayV1.GetLayoutRequest(), as: As.newcomer)
            #expect(unchanged.version == 1)
            #expect(unchanged.widgets.first?.kind == .notes)
        }
    }

    @Test("the base block, unknown kinds and duplicates are INVALID_ARGUMENT")
    func invalidLayouts() async throws {
        try await withGateway { h in
            await expectError(.invalidArgument, field: "widgets[0].kind") {
                try await update(h, base: 0, [GatewayV1.WidgetLayout(kind: .client, visible: true, collapsed: false)])
            }
            await expectError(.invalidArgument, field: "widgets[1].kind") {
                try await update(
                    h, base: 0,
                    [
                        GatewayV1.WidgetLayout(kind: .tags, visible: true, collapsed: false),
                        GatewayV1.WidgetLayout(kind: .tags, visible: false, collapsed: false),
                    ])
            }
            let layout = try await h.call(GatewayV1.Gateway.getLayout, GatewayV1.GetLayoutRequest(), as: As.newcomer)
            #expect(layout.version == 0)
            #expect(layout.isDefault)
        }
    }

    @Test("a call naming no manager is UNAUTHENTICATED: the layout, the panel and its watch")
    func noManager() async throws {
        try await withGateway { h in
            let nobody = RPCV1.Caller(managerID: 0, rights: [.admin])
            try await h.dialog("d-1", name: "Анна")
            await expectError(.unauthenticated) {
                try await h.call(GatewayV1.Gateway.getLayout, GatewayV1.GetLayoutRequest(), as: nobody)
            }
            var panel = GatewayV1.GetPanelRequest()
            panel.dialogID = "d-1"
            let error = await expectError(.unauthenticated) { try await h.call(GatewayV1.Gateway.getPanel, panel, as: nobody) }
            #expect(error?.message.contains("opening a panel") == true, "\(String(describing: error))")
            var watch = GatewayV1.WatchPanelRequest()
            watch.dialogID = "d-1"
            await expectError(.unauthenticated) {
                for try await _ in h.gatewayClient.serverStreaming(GatewayV1.Gateway.watchPanel, watch, options: RPCCallOptions(caller: nobody)) {}
            }
            // The same panel for a manager is composed.
            #expect(try await h.panel("d-1").client?.state == .ok)
        }
    }
}
