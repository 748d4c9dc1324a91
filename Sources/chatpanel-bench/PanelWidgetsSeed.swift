import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import Foundation
import GRDB
import InsightsService
import OrdersService

/// The orders and insights databases of `chatpanel-bench panel --every-widget`, made for the
/// dialogs of the clients database so that every widget of a panel has data:
///
/// - orders: the orders benchmark's catalog (1 000 products, one price type); two orders of each
///   client that has a dialog (one placed, one draft); three products on each dialog's list (its
///   client's, or the dialog's own before the contact is saved) and a cart of two lines for
///   each client;
/// - insights: 20 messages a dialog, each dialog's summary made by the service's own engine, and
///   a visit of 8 page views for each client, recorded as the site tracker would.
///
/// Lists, carts and messages are written straight into the migrated databases in one
/// transaction each, as ``BenchSeed`` writes the clients database; orders, summaries and page
/// views go through the stores, which compute what they hold (totals, token budgets, locations).
struct PanelWidgetsSeed {
    /// Each dialog's id and its client (nil: the contact is not saved yet).
    let dialogs: [(id: String, clientID: Int64?)]

    /// Products in the catalog.
    static let products = 1_000

    /// The dialogs of the clients database at `clientsDatabase`.
    init(clientsDatabase: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: clientsDatabase, configuration: configuration)
        dialogs = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, client_id FROM dialog ORDER BY created_at_ms, id").map { row in
                (id: row[0], clientID: row[1])
            }
        }
    }

    /// The clients that have a dialog, each once, in ascending order.
    private var clients: [Int64] { Array(Set(dialogs.compactMap(\.clientID))).sorted() }

    /// Writes the orders database at `path` (migrated here).
    func writeOrders(to path: String) async throws {
        let store = try OrdersStore(path: path)
        var random = SplitMix64(seed: 21)
        try await OrdersBench.seedCatalog(store, products: Self.products, random: &random)
        _ = try await OrdersBench.seedOrders(
            store, OrdersConfiguration(), clients: clients, ordersPerClient: 2, products: Self.products, random: &random)
        let (dialogs, clients) = (self.dialogs, self.clients)
        let now = UTCMilliseconds.now()
        try await store.database.write { db in
            // Owners as the store keys them (`Owner.key`): "c:<client id>", "d:<dialog id>".
            let listed = try db.makeStatement(
                sql: "INSERT OR IGNORE INTO listed_product (owner, product_id, added_at_ms, added_by_id) VALUES (?, ?, ?, 1)")
            for (index, dialog) in dialogs.enumerated() {
                let owner = dialog.clientID.map { "c:\($0)" } ?? "d:\(dialog.id)"
                for line in 0..<3 {
                    try listed.execute(arguments: [owner, Int64((index * 7 + line * 131) % Self.products + 1), now - Int64(line) * 60_000])
                }
            }
            let cart = try db.makeStatement(sql: "INSERT INTO cart (owner, version, updated_at_ms) VALUES (?, 1, ?)")
            let item = try db.makeStatement(
                sql: "INSERT INTO cart_item (owner, position, article, quantity, site_price, site_currency, name) VALUES (?, ?, ?, ?, NULL, '', '')"
            )
            for client in clients {
                try cart.execute(arguments: ["c:\(client)", now])
                for position in 0..<2 {
                    try item.execute(arguments: ["c:\(client)", position, "B-\((Int(client) * 13 + position * 17) % Self.products)", 1 + position])
                }
            }
        }
    }

    /// Writes the insights database at `path` (migrated here).
    func writeInsights(to path: String) async throws {
        let store = try InsightsStore(path: path)
        let configuration = try InsightsConfiguration.load()
        let dialogs = self.dialogs
        try await store.database.write { db in
            var writer = try InsightsBench.MessageWriter(db)
            for (index, dialog) in dialogs.enumerated() {
                try writer.dialog(dialog.id, clientID: dialog.clientID, messages: 20, variant: index)
            }
        }
        let engine = SummaryEngine(tokenizer: configuration.tokenizer, budget: configuration.budget)
        for dialog in dialogs {
            _ = try await store.summarize(dialogID: dialog.id, by: 1, engine: engine, requestID: "")
        }
        let now = UTCMilliseconds.now()
        var batch: [InsightsV1.PageView] = []
        for client in clients {
            for step in 0..<8 {
                var view = InsightsV1.PageView()
                view.viewID = "c\(client)-\(step)"
                view.visitorID = "visitor-c\(client)"
                view.clientID = client
                view.url = "https://shop.example/catalog/\(step * 5 + Int(client % 5))?utm_source=yandex&utm_medium=cpc"
                view.title = "Каталог \(step)"
                view.userAgent =
                    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.113 Mobile Safari/537.36"
                view.ip = "95.\(client % 200).\(step * 16).\(client % 250 + 1)"
                view.language = "ru-RU"
                view.viewedAtMs = now - Int64(8 - step) * 90_000
                batch.append(view)
            }
            if batch.count >= 1_000 {
                _ = try await store.recordPageViews(batch, locator: configuration.locator, keepIP: false)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { _ = try await store.recordPageViews(batch, locator: configuration.locator, keepIP: false) }
    }
}
