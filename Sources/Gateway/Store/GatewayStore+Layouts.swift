public import ChatPanelProto
public import ChatPanelRPC
import ChatPanelStore
import Foundation
import GRDB

extension GatewayStore {
    /// The widgets a new manager sees, in order (PANEL-3): everything shown and expanded.
    public static let defaultWidgetOrder: [GatewayV1.WidgetKind] = [.tags, .tasks, .notes, .order, .products, .cart, .summary, .visit]

    /// The default layout of a manager who never changed theirs.
    public static func defaultLayout(managerID: Int64) -> GatewayV1.Layout {
        var layout = GatewayV1.Layout()
        layout.managerID = managerID
        layout.version = 0
        layout.isDefault = true
        layout.widgets = defaultWidgetOrder.map { GatewayV1.WidgetLayout(kind: $0, visible: true, collapsed: false) }
        return layout
    }

    /// A manager's layout, the default one when they have none.
    public func layout(managerID: Int64) async throws -> GatewayV1.Layout {
        if let known = cache.layout(managerID: managerID) { return known }
        let layout = try await database.read { db in try Self.fetchLayout(db, managerID: managerID) }
        return cache.offer(layout)
    }

    private static func fetchLayout(_ db: Database, managerID: Int64) throws -> GatewayV1.Layout {
        guard let row = try Row.fetchOne(db, sql: "SELECT version, widgets FROM layout WHERE manager_id = ?", arguments: [managerID]) else {
            return defaultLayout(managerID: managerID)
        }
        var layout = GatewayV1.Layout()
        layout.managerID = managerID
        layout.version = UInt64(row["version"] as Int64)
        let stored = try GatewayV1.Layout(serializedBytes: [UInt8](row["widgets"] as Data))
        layout.widgets = normalized(stored.widgets)
        return layout
    }

    /// Checks a requested widget list: each kind at most once, no base block, no unknown kinds.
    public static func validate(_ widgets: [GatewayV1.WidgetLayout]) throws(RPCError) {
        var violations = FieldViolations()
        var seen = Set<Int32>()
        for (index, widget) in widgets.enumerated() {
            switch widget.kind {
            case .client:
                violations.add(
                    field: "widgets[\(index)].kind", "the base client block is always first and shown; it is not part of the layout")
            case .unspecified, .unrecognized:
                violations.add(field: "widgets[\(index)].kind", "unknown widget kind \(widget.kind.rawValue)")
            default:
                if !seen.insert(widget.kind.rawValue).inserted {
                    violations.add(field: "widgets[\(index)].kind", "\(widget.kind.protoName) is listed twice")
                }
            }
        }
        try violations.throwIfAny()
    }

    /// The list with every widget kind present once: kinds left out follow, hidden.
    static func normalized(_ widgets: [GatewayV1.WidgetLayout]) -> [GatewayV1.WidgetLayout] {
        var result = widgets.filter { defaultWidgetOrder.contains($0.kind) }
        for kind in defaultWidgetOrder where !result.contains(where: { $0.kind == kind }) {
            result.append(GatewayV1.WidgetLayout(kind: kind, visible: false, collapsed: false))
        }
        return result
    }

    /// Replaces a manager's layout if `baseVersion` is still current; otherwise throws
    /// ABORTED with the current layout as details.
    public func updateLayout(managerID: Int64, baseVersion: UInt64, widgets: [GatewayV1.WidgetLayout]) async throws -> GatewayV1.Layout {
        try Self.validate(widgets)
        let updated = try await database.write { db in
            let current = try Self.fetchLayout(db, managerID: managerID)
            guard current.version == baseVersion else {
                throw RPCError(
                    code: .aborted,
                    message:
                        "the layout changed since version \(baseVersion) (now \(current.version)); reload it and apply the change again",
                    details: try current.serializedBytes())
            }
            var updated = GatewayV1.Layout()
            updated.managerID = managerID
            updated.version = current.version + 1
            updated.widgets = Self.normalized(widgets)
            var stored = GatewayV1.Layout()
            stored.widgets = updated.widgets
            try db.execute(
                sql: """
                    INSERT INTO layout (manager_id, version, widgets, updated_at_ms) VALUES (?, ?, ?, ?)
                    ON CONFLICT(manager_id) DO UPDATE SET version = excluded.version, widgets = excluded.widgets,
                        updated_at_ms = excluded.updated_at_ms
                    """,
                arguments: [managerID, Int64(updated.version), Data(try stored.serializedBytes()), self.now()])
            return updated
        }
        return cache.offer(updated)
    }
}

extension GatewayV1.WidgetLayout {
    /// A widget's place.
    public init(kind: GatewayV1.WidgetKind, visible: Bool, collapsed: Bool) {
        self.init()
        self.kind = kind
        self.visible = visible
        self.collapsed = collapsed
    }
}
