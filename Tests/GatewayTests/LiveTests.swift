import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Foundation
import Synchronization
import Testing

@testable import Gateway

#if canImport(Glibc)
    import Glibc
#endif

/// The live panel (`WatchPanel`) with the clients and tasks services and the gateway running:
/// changes made through the gateway, straight on a service, or for every client at once reach
/// every open panel they concern; a watcher that stops reading is closed without holding up
/// the others.
@Suite("Gateway: live panel")
struct LiveTests {
    @Test("two managers watch one dialog: a note added by one reaches the other")
    func actionReachesTheOtherManager() async throws {
        try await withGateway { h in
            let clientID = try await h.savedClient("d-live")
            let first = PanelWatchReader(h.gatewayClient, dialog: "d-live", as: As.manager)
            let second = PanelWatchReader(h.gatewayClient, dialog: "d-live", as: As.noTasks)
            defer {
                first.stop()
                second.stop()
            }
            let whole = try await second.waitFor("the first whole panel") { $0.panel != nil }
            #expect(whole.panel?.dialogID == "d-live")
            _ = try await first.waitFor("the first whole panel") { $0.panel != nil }

            _ = try await h.act(dialog: "d-live", TasksV1.Tasks.createNote.path, Seed.note("позвонить завтра", client: clientID))
            let update = try await second.waitFor("the note in the other manager's panel") { update in
                Self.notes(in: update).contains("позвонить завтра")
            }
            #expect(update.panel == nil, "a changed widget, not the whole panel")
            #expect(update.changedAtMs > 0)
            #expect(update.widgets.allSatisfy { $0.kind == .notes })
        }
    }

    @Test("a change made straight on a service (not through the gateway) reaches the watchers")
    func directChangeReachesWatchers() async throws {
        try await withGateway { h in
            let clientID = try await h.savedClient("d-direct")
            let watch = PanelWatchReader(h.gatewayClient, dialog: "d-direct", as: As.manager)
            defer { watch.stop() }
            _ = try await watch.waitFor("the first whole panel") { $0.panel != nil }

            try await h.tag("VIP", on: clientID)
            let tags = try await watch.waitFor("the tag in the Tags widget") { update in
                update.widgets.contains { widget in
                    widget.kind == .tags && Self.tagNames(widget).contains("VIP")
                }
            }
            #expect(tags.widgets.contains { $0.kind == .tags && $0.state == .ok })

            let task = try await h.task("Перезвонить", client: clientID, performer: As.manager.managerID)
            _ = try await watch.waitFor("the task in the Tasks widget") { update in
                update.widgets.contains { widget in
                    widget.kind == .tasks && ((try? widget.tasksData().all?.tasks.map(\.taskID)) ?? []).contains(task.taskID)
                }
            }
        }
    }

    @Test("a tag renamed on all its clients (one change for every client) reaches every open panel")
    func tagRenameReachesEveryPanel() async throws {
        try await withGateway { h in
            let one = try await h.savedClient("d-one", name: "Анна Смирнова")
            let two = try await h.savedClient("d-two", name: "Олег Иванов")
            let tag = try await h.tag("Опт", on: one)
            var attach = ClientsV1.AttachTagRequest()
            attach.clientID = two
            attach.tagID = tag.tagID
            _ = try await h.clients(ClientsV1.Clients.attachTag, attach)
            let watches = [
                PanelWatchReader(h.gatewayClient, dialog: "d-one", as: As.manager),
                PanelWatchReader(h.gatewayClient, dialog: "d-two", as: As.manager),
            ]
            defer { for watch in watches { watch.stop() } }
            for watch in watches { _ = try await watch.waitFor("the first whole panel") { $0.panel != nil } }

            var spec = ClientsV1.TagJobSpec()
            spec.tagID = tag.tagID
            spec.action = .rename
            spec.newName = "Оптовик"
            var start = ClientsV1.StartTagJobRequest()
            start.spec = spec
            start.confirmed = true
            _ = try await h.clients(
                ClientsV1.Clients.startTagJob, start, as: RPCV1.Caller(managerID: 14, rights: [.adminTags, .editClients]))
            for watch in watches {
                _ = try await watch.waitFor("the renamed tag") { update in
                    update.widgets.contains { widget in
                        widget.kind == .tags && Self.tagNames(widget).contains("Оптовик")
                    }
                }
            }
            let changes = try await h.clientsFeed()
            let wide = changes.filter { $0.clientID == 0 && $0.dialogID.isEmpty && $0.visitorID.isEmpty }
            #expect(wide.count == 2, "one change per widget for every client, not one per client")
        }
    }

    @Test("a manager's layout change sends the whole panel again")
    func layoutChangeSendsWholePanel() async throws {
        try await withGateway { h in
            _ = try await h.savedClient("d-layout")
            let watch = PanelWatchReader(h.gatewayClient, dialog: "d-layout", as: As.manager)
            defer { watch.stop() }
            let first = try await watch.waitFor("the first whole panel") { $0.panel != nil }
            let layout = try await h.call(GatewayV1.Gateway.getLayout, GatewayV1.GetLayoutRequest())
            var update = GatewayV1.UpdateLayoutRequest()
            update.baseVersion = layout.version
            update.widgets = layout.widgets.map { widget in
                var widget = widget
                if widget.kind == .notes { widget.visible = false }
                return widget
            }
            _ = try await h.call(GatewayV1.Gateway.updateLayout, update)
            let again = try await watch.waitFor("a whole panel in the new layout") { update in
                update.panel.map { $0.layoutVersion > first.panel!.layoutVersion } ?? false
            }
            #expect(again.panel?.widget(.notes) == nil)
        }
    }

    @Test("a watcher that stops reading is closed, and the others keep getting updates")
    func stalledWatcherIsClosed() async throws {
        try await withGateway(configure: { $0.live.stallTimeout = .seconds(1) }) { h in
            let clientID = try await h.savedClient("d-stall")
            let reading = PanelWatchReader(h.gatewayClient, dialog: "d-stall", as: As.manager)
            defer { reading.stop() }
            _ = try await reading.waitFor("the first whole panel") { $0.panel != nil }
            let stalled = try StalledWatcher(socket: h.gatewaySocket, dialog: "d-stall", caller: As.manager)
            defer { stalled.close() }
            try await waitUntil("both watches are open") { h.gateway.openWatches == 2 }

            // Each note changes the Notes widget: the stalled watcher's socket fills, its update
            // waits past the stall timeout, and the gateway ends that watch.
            let text = String(repeating: "длинная заметка ", count: 120)
            var written = 0
            let deadline = ContinuousClock.now + .seconds(120)
            while h.gateway.openWatches == 2, ContinuousClock.now < deadline {
                written += 1
                _ = try await h.note("\(written) \(text)", client: clientID)
            }
            #expect(h.gateway.openWatches == 1, "the stalled watch was not closed after \(written) notes")
            _ = try await reading.waitFor("the newest note for the reading watcher") { update in
                Self.notes(in: update).contains { $0.hasPrefix("\(written) ") }
            }
        }
    }

    /// The names of the tags a Tags widget shows.
    static func tagNames(_ widget: GatewayV1.Widget) -> [String] {
        guard let card = try? widget.card() else { return [] }
        return card.client?.tags.map { $0.tag?.name ?? "" } ?? []
    }

    /// The notes' texts (previews) in an update's Notes widget.
    static func notes(in update: GatewayV1.PanelUpdate) -> [String] {
        let widget = update.widgets.first { $0.kind == .notes } ?? update.panel?.widget(.notes)
        return (try? widget?.notesData().notes.map(\.text)) ?? []
    }
}

extension GatewayHarness {
    /// Every change the clients service's feed holds (its first batch from position 0).
    func clientsFeed() async throws -> [ChangesV1.Change] {
        let batches = clientsClient.serverStreaming(
            ChangesV1.Changes.watch, ChangesV1.WatchRequest(), options: RPCCallOptions(timeout: .seconds(30), caller: As.manager))
        for try await batch in batches { return batch.changes }
        return []
    }
}

/// A `WatchPanel` call read in the background: every update kept, in order.
final class PanelWatchReader: Sendable {
    private final class Received: Sendable {
        let state = Mutex<(updates: [GatewayV1.PanelUpdate], error: (any Error)?)>(([], nil))
    }

    private let received = Received()
    private let task: Task<Void, Never>

    init(_ client: RPCClient, dialog: String, as caller: RPCV1.Caller) {
        var request = GatewayV1.WatchPanelRequest()
        request.dialogID = dialog
        let stream = client.serverStreaming(
            GatewayV1.Gateway.watchPanel, request, options: RPCCallOptions(timeout: .seconds(600), caller: caller))
        let received = self.received
        task = Task {
            do {
                for try await update in stream { received.state.withLock { $0.updates.append(update) } }
            } catch {
                received.state.withLock { $0.error = error }
            }
        }
    }

    /// Every update so far.
    var updates: [GatewayV1.PanelUpdate] { received.state.withLock { $0.updates } }

    /// Waits (60 s at most) for an update matching `match`; throws, saying what was awaited,
    /// when none came or the watch ended.
    @discardableResult
    func waitFor(_ what: String, _ match: @escaping (GatewayV1.PanelUpdate) -> Bool) async throws -> GatewayV1.PanelUpdate {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let (updates, error) = received.state.withLock { ($0.updates, $0.error) }
            if let found = updates.first(where: match) { return found }
            if let error { throw GatewayTestFailure("\(what): the watch ended with \(error)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw GatewayTestFailure("\(what): not within 60 s (\(updates.count) updates came)")
    }

    func stop() { task.cancel() }
}

/// A `WatchPanel` call on a socket of its own, sent and then never read: the gateway's writes
/// fill the socket.
struct StalledWatcher {
    let fd: Int32

    init(socket path: String, dialog: String, caller: RPCV1.Caller) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var small: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        var address = unixSocketAddress(path)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, connected == 0 else { throw GatewayTestFailure("cannot connect to \(path): errno \(errno)") }
        var watch = GatewayV1.WatchPanelRequest()
        watch.dialogID = dialog
        var frame = RPCV1.RequestFrame()
        frame.callID = 1
        frame.kind = .call
        frame.method = GatewayV1.Gateway.watchPanel.path
        frame.timeoutMs = 600_000
        frame.caller = caller
        frame.payload = try watch.serializedBytes()
        let body = try frame.serializedBytes()
        let length = UInt32(body.count)
        let bytes = [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + body
        guard write(fd, bytes, bytes.count) == bytes.count else { throw GatewayTestFailure("cannot send the watch: errno \(errno)") }
    }

    func close() { _ = Glibc.close(fd) }
}

/// How a watch keeps what changed while its previous update is still being written.
@Suite("Gateway: live panel coalescing")
struct LiveCoalescingTests {
    @Test("changes to one widget coalesce into one mark with the oldest change's time; past the bound, the whole panel")
    func marksCoalesce() {
        let watcher = PanelWatcher(managerID: 1, dialogID: "d", wholePanelAfter: 4)
        watcher.mark([.notes], changedAtMs: 20)
        watcher.mark([.notes], changedAtMs: 10)
        watcher.mark([.tasks], changedAtMs: 30)
        let pending = watcher.take()
        #expect(pending.kinds == [.notes, .tasks])
        #expect(pending.changedAtMs == 10)
        #expect(pending.changes == 3)
        #expect(!pending.wholePanel)
        #expect(watcher.take().isEmpty, "the marks start over once taken")

        for time in Int64(1)...5 { watcher.mark([.cart], changedAtMs: time) }
        let behind = watcher.take()
        #expect(behind.wholePanel, "five coalesced changes, past the bound of four: the whole panel")
    }

    @Test("the hub files a watch under its dialog, client and visitor; a wide change reaches every watch")
    func hubRoutesChanges() {
        let hub = PanelWatchHub()
        let first = PanelWatcher(managerID: 1, dialogID: "d-1", wholePanelAfter: 64)
        let second = PanelWatcher(managerID: 2, dialogID: "d-2", wholePanelAfter: 64)
        hub.add(first)
        hub.add(second)
        hub.update(first, keys: PanelKeys(dialogID: "d-1", clientID: 7, visitorID: "v-1"))
        var byClient = ChangesV1.Change()
        byClient.widget = "notes"
        byClient.clientID = 7
        byClient.atMs = 5
        var byVisitor = ChangesV1.Change()
        byVisitor.widget = "cart"
        byVisitor.visitorID = "v-1"
        var unknown = ChangesV1.Change()
        unknown.widget = "a widget of a newer service"
        unknown.clientID = 7
        hub.deliver([byClient, byVisitor, unknown])
        #expect(first.take().kinds == [.notes, .cart])
        #expect(second.take().isEmpty)

        var wide = ChangesV1.Change()
        wide.widget = "tags"
        hub.deliver([wide])
        #expect(first.take().kinds == [.tags])
        #expect(second.take().kinds == [.tags])

        hub.remove(first)
        hub.deliver([byClient])
        #expect(hub.count == 1)
        #expect(first.take().isEmpty)
    }
}
