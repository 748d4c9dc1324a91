public import ChatPanelProto
import ChatPanelStore
import GRDB

/// Whose product list or cart: a client, or before the contact is saved its dialog (lists)
/// or its site visitor (carts).
public enum Owner: Hashable, Sendable {
    /// A client of the CRM.
    case client(Int64)
    /// A dialog whose contact is not saved as a client yet.
    case dialog(String)
    /// A site visitor not known as a client yet.
    case visitor(String)

    /// The stored key: "c:42", "d:<dialog id>", "v:<visitor id>".
    var key: String {
        switch self {
        case .client(let id): "c:\(id)"
        case .dialog(let id): "d:\(id)"
        case .visitor(let id): "v:\(id)"
        }
    }

    /// The wire form.
    public var proto: OrdersV1.Owner {
        var owner = OrdersV1.Owner()
        switch self {
        case .client(let id): owner.clientID = id
        case .dialog(let id): owner.dialogID = id
        case .visitor(let id): owner.visitorID = id
        }
        return owner
    }
}

extension Owner {
    /// Publishes, in the current transaction, that `widgets` of this owner's panels changed.
    func recordChanges(_ widgets: [PanelWidget], _ db: Database, at time: Int64) throws {
        switch self {
        case .client(let id): try db.recordChanges(widgets, clientID: id, at: time)
        case .dialog(let id): try db.recordChanges(widgets, dialogID: id, at: time)
        case .visitor(let id): try db.recordChanges(widgets, visitorID: id, at: time)
        }
    }
}
