import ChatPanelProto
import ChatPanelRPC

extension OrdersV1.Owner {
    /// Which owners a method takes.
    enum Kinds {
        /// Product lists: a client or a dialog.
        case list
        /// Carts: a client or a visitor.
        case cart
        /// Anything that can be moved into a client.
        case any
    }

    /// The owner, or a violation under `field` ("owner", "owner.dialog_id").
    func validated(_ kinds: Kinds, field: String, into violations: inout FieldViolations) -> Owner? {
        let given = [clientID != 0, !dialogID.isEmpty, !visitorID.isEmpty].filter { $0 }.count
        let expected =
            switch kinds {
            case .list: "client_id or dialog_id"
            case .cart: "client_id or visitor_id"
            case .any: "client_id, dialog_id or visitor_id"
            }
        guard given == 1 else {
            violations.add(field: field, given == 0 ? "is required: give \(expected)" : "give exactly one of \(expected)")
            return nil
        }
        if clientID != 0 {
            guard clientID > 0 else {
                violations.add(field: "\(field).client_id", "must be positive")
                return nil
            }
            return .client(clientID)
        }
        if !dialogID.isEmpty {
            guard kinds != .cart else {
                violations.add(field: "\(field).dialog_id", "a cart belongs to a client or a site visitor, not a dialog")
                return nil
            }
            guard dialogID.count <= 128 else {
                violations.add(field: "\(field).dialog_id", "must be at most 128 characters")
                return nil
            }
            return .dialog(dialogID)
        }
        guard kinds != .list else {
            violations.add(field: "\(field).visitor_id", "a product list belongs to a client or a dialog, not a site visitor")
            return nil
        }
        guard visitorID.count <= 128 else {
            violations.add(field: "\(field).visitor_id", "must be at most 128 characters")
            return nil
        }
        return .visitor(visitorID)
    }
}
