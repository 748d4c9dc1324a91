public import GRDB

/// A change to something a panel shows, recorded in the `panel_change` table by the same
/// transaction that makes it (``GRDB/Database/recordChanges(_:clientID:dialogID:visitorID:at:)``):
/// a rolled-back write records nothing and a committed one is never lost. Every service
/// process serves its changes as a feed (`chatpanel.changes.v1.Changes/Watch`).
///
/// A change names the client, dialog or site visitor it concerns (any of them, each empty
/// when it does not apply); a change that names none concerns every client, as a tag renamed on
/// all its clients does (one row, not one per client).
public struct PanelChange: Sendable, Hashable {
    /// Its place in the feed: increases with every committed change, never reused.
    public var position: Int64
    /// The widget whose data changed.
    public var widget: PanelWidget
    /// The client it concerns; 0 when none.
    public var clientID: Int64
    /// The dialog it concerns; empty when none.
    public var dialogID: String
    /// The site visitor it concerns; empty when none.
    public var visitorID: String
    /// When it was recorded, by the store's clock (UTC ms).
    public var atMs: Int64

    /// A change as read from the feed.
    public init(position: Int64, widget: PanelWidget, clientID: Int64, dialogID: String, visitorID: String, atMs: Int64) {
        self.position = position
        self.widget = widget
        self.clientID = clientID
        self.dialogID = dialogID
        self.visitorID = visitorID
        self.atMs = atMs
    }

    /// Whether it concerns every client rather than one client, dialog or visitor.
    public var isWide: Bool { clientID == 0 && dialogID.isEmpty && visitorID.isEmpty }
}

/// The panel widgets a service's data feeds, as the change feed names them.
public enum PanelWidget: String, Sendable, Hashable, CaseIterable {
    case client, tags, products, tasks, order, notes, summary, visit, cart
}

extension Database {
    /// Records, in the current transaction, that `widgets` changed for a client, a dialog or a
    /// site visitor (none of them: for every client). Publishes them to the feed's watchers
    /// once the transaction commits; nothing when it rolls back.
    public func recordChanges(
        _ widgets: [PanelWidget], clientID: Int64 = 0, dialogID: String = "", visitorID: String = "", at: Int64
    ) throws {
        let statement = try cachedStatement(
            sql: "INSERT INTO panel_change (widget, client_id, dialog_id, visitor_id, at_ms) VALUES (?, ?, ?, ?, ?)")
        for widget in widgets {
            try statement.execute(arguments: [widget.rawValue, clientID, dialogID, visitorID, at])
        }
    }
}
