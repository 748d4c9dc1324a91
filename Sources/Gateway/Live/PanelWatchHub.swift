import ChatPanelProto
import Synchronization

/// The open panel watches of the gateway, indexed by what their panels show (the dialog, its
/// client, its site visitor), so that each change a service's feed reports reaches the watches
/// it concerns without a scan of them all.
final class PanelWatchHub: Sendable {
    private struct Entry {
        let watcher: PanelWatcher
        var keys: PanelKeys
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var byDialog: [String: Set<ObjectIdentifier>] = [:]
        var byClient: [Int64: Set<ObjectIdentifier>] = [:]
        var byVisitor: [String: Set<ObjectIdentifier>] = [:]

        mutating func index(_ id: ObjectIdentifier, _ keys: PanelKeys, insert: Bool) {
            func update<Key: Hashable>(_ map: inout [Key: Set<ObjectIdentifier>], _ key: Key) {
                if insert {
                    map[key, default: []].insert(id)
                } else if map[key]?.remove(id) != nil, map[key]?.isEmpty == true {
                    map.removeValue(forKey: key)
                }
            }
            update(&byDialog, keys.dialogID)
            if keys.clientID != 0 { update(&byClient, keys.clientID) }
            if !keys.visitorID.isEmpty { update(&byVisitor, keys.visitorID) }
        }
    }

    private let state = Mutex(State())

    init() {}

    /// How many watches are open.
    var count: Int { state.withLock { $0.entries.count } }

    /// Adds a watch under its keys (the dialog alone until its panel is composed).
    func add(_ watcher: PanelWatcher) {
        let id = ObjectIdentifier(watcher)
        state.withLock { state in
            state.entries[id] = Entry(watcher: watcher, keys: watcher.initialKeys)
            state.index(id, watcher.initialKeys, insert: true)
        }
    }

    /// Removes a watch.
    func remove(_ watcher: PanelWatcher) {
        let id = ObjectIdentifier(watcher)
        state.withLock { state in
            guard let entry = state.entries.removeValue(forKey: id) else { return }
            state.index(id, entry.keys, insert: false)
        }
    }

    /// Files a watch under the keys of its panel as last composed (its client may have changed).
    func update(_ watcher: PanelWatcher, keys: PanelKeys) {
        let id = ObjectIdentifier(watcher)
        state.withLock { state in
            guard let old = state.entries[id]?.keys, old != keys else { return }
            state.index(id, old, insert: false)
            state.index(id, keys, insert: true)
            state.entries[id]?.keys = keys
        }
    }

    /// Marks, in every watch a change concerns, the widgets it changed.
    func deliver(_ changes: [ChangesV1.Change]) {
        var marks: [ObjectIdentifier: (PanelWatcher, Set<GatewayV1.WidgetKind>, Int64)] = [:]
        state.withLock { state in
            for change in changes {
                let kinds = Self.kinds(of: change.widget)
                guard !kinds.isEmpty else { continue }
                var ids: Set<ObjectIdentifier> = []
                if change.clientID == 0, change.dialogID.isEmpty, change.visitorID.isEmpty {
                    ids = Set(state.entries.keys)
                } else {
                    if !change.dialogID.isEmpty { ids.formUnion(state.byDialog[change.dialogID] ?? []) }
                    if change.clientID != 0 { ids.formUnion(state.byClient[change.clientID] ?? []) }
                    if !change.visitorID.isEmpty { ids.formUnion(state.byVisitor[change.visitorID] ?? []) }
                }
                for id in ids {
                    guard let watcher = state.entries[id]?.watcher else { continue }
                    var mark = marks[id] ?? (watcher, [], change.atMs)
                    mark.1.formUnion(kinds)
                    mark.2 = min(mark.2, change.atMs)
                    marks[id] = mark
                }
            }
        }
        for (watcher, kinds, changedAt) in marks.values { watcher.mark(kinds, changedAtMs: changedAt) }
    }

    /// Marks `kinds` changed in every watch (a service's feed came back after an outage).
    func markAll(_ kinds: Set<GatewayV1.WidgetKind>) {
        for watcher in watchers(where: { _ in true }) { watcher.mark(kinds, changedAtMs: 0) }
    }

    /// Asks every watch (of one manager, when given) for a whole panel: a feed lost its place,
    /// or the layout or settings changed.
    func resendWholePanels(managerID: Int64? = nil) {
        for watcher in watchers(where: { managerID == nil || $0.managerID == managerID }) { watcher.markWholePanel() }
    }

    private func watchers(where include: (PanelWatcher) -> Bool) -> [PanelWatcher] {
        state.withLock { state in state.entries.values.map(\.watcher).filter(include) }
    }

    /// The panel widgets a feed's widget name stands for (none for a name this gateway does not know).
    static func kinds(of widget: String) -> Set<GatewayV1.WidgetKind> {
        switch widget {
        case "client": [.client]
        case "tags": [.tags]
        case "products": [.products]
        case "tasks": [.tasks]
        case "order": [.order]
        case "notes": [.notes]
        case "summary": [.summary]
        case "visit": [.visit]
        case "cart": [.cart]
        default: []
        }
    }
}

/// What a panel shows, as the feeds name it: the dialog, the dialog's client, its site visitor.
struct PanelKeys: Hashable, Sendable {
    var dialogID: String
    var clientID: Int64 = 0
    var visitorID: String = ""
}
