import ChatPanelProto

/// The widget actions the gateway forwards, with the right each needs and the widgets it changes.
///
/// The owning service checks rights again; the gateway checks first so a refused action costs
/// no upstream call, and only listed methods can be reached through it.
struct ActionCatalog {
    /// Which service answers an action.
    enum Owner: Sendable { case clients, tasks, orders }

    /// One forwardable method.
    struct Entry: Sendable {
        let owner: Owner
        /// The right needed, if any.
        let right: RPCV1.Right?
        /// The widgets to refresh after it (empty for reads).
        let refresh: [GatewayV1.WidgetKind]
    }

    private static func clients(_ name: String) -> String { "/chatpanel.clients.v1.Clients/\(name)" }
    private static func tasks(_ name: String) -> String { "/chatpanel.tasks.v1.Tasks/\(name)" }
    private static func orders(_ name: String) -> String { "/chatpanel.orders.v1.Orders/\(name)" }

    /// Actions that link a dialog to a client (CLIENT-1, CLIENT-3): the dialog's product list
    /// moves to that client after them.
    static let savesDialogClient: Set<String> = [clients("SaveClientFromDialog"), clients("LinkDialog")]

    static let entries: [String: Entry] = {
        var entries: [String: Entry] = [:]
        let card: [GatewayV1.WidgetKind] = [.client, .tags]
        for name in ["SaveClientFromDialog", "LinkDialog", "UpdateClient", "AttachTag", "DetachTag", "PinTag", "SetFieldValue"] {
            entries[clients(name)] = Entry(owner: .clients, right: .editClients, refresh: card)
        }
        // A fragment may be a product query, which needs no right; the service decides.
        entries[clients("ApplyFragment")] = Entry(owner: .clients, right: nil, refresh: card)
        entries[clients("CreateTag")] = Entry(owner: .clients, right: .createTags, refresh: [])
        for name in ["PreviewTagJob", "StartTagJob"] {
            entries[clients(name)] = Entry(owner: .clients, right: .adminTags, refresh: [])
        }
        for name in ["ReorderFields", "PinField"] {
            entries[clients(name)] = Entry(owner: .clients, right: nil, refresh: [.client])
        }
        for name in [
            "GetClientCard", "AutocompleteTags", "GetTag", "GetTagJob", "ListDuplicates", "ListMerges", "ListClients", "ListDialogs",
            "SearchFields", "GetFieldLayout",
        ] {
            entries[clients(name)] = Entry(owner: .clients, right: nil, refresh: [])
        }
        for name in ["CreateTask", "UpdateTask", "CompleteTask", "ReopenTask"] {
            entries[tasks(name)] = Entry(owner: .tasks, right: .tasks, refresh: [.tasks])
        }
        for name in ["GetTask", "ListTasks"] {
            entries[tasks(name)] = Entry(owner: .tasks, right: .tasks, refresh: [])
        }
        for name in ["CreateNote", "DeleteNote"] {
            entries[tasks(name)] = Entry(owner: .tasks, right: nil, refresh: [.notes])
        }
        for name in ["ListNotes", "GetNote"] {
            entries[tasks(name)] = Entry(owner: .tasks, right: nil, refresh: [])
        }
        // The Products and Cart widgets (PRODUCT-1..5, CART-2).
        for name in ["AddListedProduct", "RemoveListedProduct", "SendProductCards"] {
            entries[orders(name)] = Entry(owner: .orders, right: nil, refresh: [.products])
        }
        entries[orders("AddToOrder")] = Entry(owner: .orders, right: nil, refresh: [.products, .cart])
        entries[orders("CreateProduct")] = Entry(owner: .orders, right: .editCatalog, refresh: [])
        for name in ["SearchProducts", "GetProduct", "ListPriceTypes", "ListCategories", "ListListedProducts", "GetCart"] {
            entries[orders(name)] = Entry(owner: .orders, right: nil, refresh: [])
        }
        return entries
    }()
}
