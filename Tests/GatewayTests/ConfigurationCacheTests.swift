import ChatPanelProto
import Testing

@testable import Gateway

/// The gateway's in-memory layouts and settings never go back to an older state.
@Suite("Gateway: configuration cache")
struct ConfigurationCacheTests {
    private func layout(manager: Int64, version: UInt64, hidden: GatewayV1.WidgetKind? = nil) -> GatewayV1.Layout {
        var layout = GatewayStore.defaultLayout(managerID: manager)
        layout.version = version
        layout.isDefault = version == 0
        if let hidden, let index = layout.widgets.firstIndex(where: { $0.kind == hidden }) { layout.widgets[index].visible = false }
        return layout
    }

    @Test("a layout read from an older snapshot does not replace a newer update")
    func layoutsKeepTheNewestVersion() {
        let cache = ConfigurationCache()
        #expect(cache.layout(managerID: 7) == nil)
        let updated = layout(manager: 7, version: 2, hidden: .notes)
        #expect(cache.offer(updated) == updated)
        let stale = layout(manager: 7, version: 1)
        #expect(cache.offer(stale) == updated)
        #expect(cache.layout(managerID: 7) == updated)
        let newer = layout(manager: 7, version: 3)
        #expect(cache.offer(newer) == newer)
        #expect(cache.layout(managerID: 8) == nil)
    }

    @Test("settings read before an update do not replace it; a failed update forgets them")
    func settingsFollowUpdates() {
        let cache = ConfigurationCache()
        var stored = GatewayV1.Settings()
        stored.tasksWidgetEnabled = true
        let (nothing, generation) = cache.settings()
        #expect(nothing == nil)

        var updated = stored
        updated.tasksWidgetEnabled = false
        cache.replace(updated)
        cache.offer(stored, readAt: generation)  // read before the update, stored after it
        #expect(cache.settings().0 == updated)

        cache.forgetSettings()
        let (forgotten, next) = cache.settings()
        #expect(forgotten == nil)
        cache.offer(stored, readAt: next)
        #expect(cache.settings().0 == stored)
    }
}
