import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import Foundation
import GRDB

/// Reading and writing `customer_order` rows: the columns hold what lists, the one-draft rule
/// and merges need; `body` holds the rest of the order, encoded.
enum OrderRecords {
    /// The columns every read takes, in the order ``order(_:_:)`` reads them.
    static let columns = "id, number, client_id, is_draft, status, version, created_at_ms, updated_at_ms, body"

    /// The order with `id`, or nil.
    static func fetch(_ db: Database, id: Int64, _ settings: OrdersConfiguration) throws -> OrdersV1.Order? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM customer_order WHERE id = ?"), arguments: [id]).map {
            try order($0, settings)
        }
    }

    /// The client's draft, or nil.
    static func draft(_ db: Database, clientID: Int64, _ settings: OrdersConfiguration) throws -> OrdersV1.Order? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(columns) FROM customer_order WHERE client_id = ? AND is_draft = 1"), arguments: [clientID]
        ).map { try order($0, settings) }
    }

    /// The order a row holds, its status named from `settings` (a status no longer configured
    /// keeps the name it was saved with).
    static func order(_ row: some PositionalValues, _ settings: OrdersConfiguration) throws -> OrdersV1.Order {
        let body: Data = row[8]
        var order = try body.withUnsafeBytes { try OrdersV1.Order(unsafeBytes: $0) }
        order.orderID = row[0]
        order.number = row[1]
        order.clientID = row[2]
        order.draft = row[3]
        let stored = order.status
        order.status = status(row[4], stored: { stored }, settings)
        order.version = UInt64(row[5] as Int64)
        order.createdAtMs = row[6]
        order.updatedAtMs = row[7]
        return order
    }

    /// The status of an order whose status column holds `code`: the configured one, else the
    /// one it was saved with (`stored`, read only then), else one named by its code.
    private static func status(
        _ code: String, stored: () throws -> OrdersV1.OrderStatus?, _ settings: OrdersConfiguration
    ) rethrows -> OrdersV1.OrderStatus {
        if let status = settings.status(code) { return status }
        if let stored = try stored(), stored.code == code { return stored }
        var status = OrdersV1.OrderStatus()
        status.code = code
        status.name = code
        return status
    }

    /// The fields of `Order` the columns hold, by number (`proto/chatpanel/orders/v1/orders.proto`):
    /// order_id, number, client_id, draft, status, version, created_at_ms, updated_at_ms.
    private static let columnFields: ClosedRange<UInt32> = 1...8
    /// `Order.status`'s field number.
    private static let statusField: UInt32 = 5

    /// The order a row holds, encoded: what ``order(_:_:)`` gives, encoded, without decoding the
    /// stored body. The body is copied but for the fields the columns hold (a merge places a
    /// draft in the column alone), and the columns and the status (as ``order(_:_:)`` names
    /// it) follow it. For a panel's orders, decoding each body and encoding it again cost about
    /// 75 000 instructions an order.
    static func encodedOrder(_ row: some PositionalValues, _ settings: OrdersConfiguration) throws -> [UInt8] {
        guard let (rest, storedStatus) = row.withBytes(at: 8, { ProtoWire.split($0, removing: columnFields, payloadOf: statusField) })
        else {
            return try order(row, settings).serializedBytes()  // a column field given twice: the slow way
        }
        var columns = OrdersV1.Order()
        columns.orderID = row[0]
        columns.number = row[1]
        columns.clientID = row[2]
        columns.draft = row[3]
        columns.status = try status(row[4], stored: { try storedStatus.map { try OrdersV1.OrderStatus(serializedBytes: $0) } }, settings)
        columns.version = UInt64(row[5] as Int64)
        columns.createdAtMs = row[6]
        columns.updatedAtMs = row[7]
        return rest + (try columns.onePassBytes())  // the panel's hot path
    }

    /// Inserts a new order; its id and number are the next free ones. Throws SQLite's
    /// constraint error when the client has a draft already and `order` is one.
    static func insert(_ db: Database, _ order: inout OrdersV1.Order, numberPrefix: String) throws {
        let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) + 1 FROM customer_order")) ?? 1
        order.orderID = id
        order.number = "\(numberPrefix)\(id)"
        try db.cachedStatement(
            sql: """
                INSERT INTO customer_order (id, number, client_id, is_draft, status, version, created_at_ms, updated_at_ms,
                    total_minor, paid_minor, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            id, order.number, order.clientID, order.draft, order.status?.code ?? "", Int64(order.version), order.createdAtMs,
            order.updatedAtMs, order.totals?.total?.amountMinor ?? 0, order.totals?.paid?.amountMinor ?? 0, try body(order),
        ])
    }

    /// Writes an order back.
    static func update(_ db: Database, _ order: OrdersV1.Order) throws {
        try db.cachedStatement(
            sql: """
                UPDATE customer_order SET is_draft = ?, status = ?, version = ?, updated_at_ms = ?, total_minor = ?, paid_minor = ?,
                    body = ?
                WHERE id = ?
                """
        ).execute(arguments: [
            order.draft, order.status?.code ?? "", Int64(order.version), order.updatedAtMs, order.totals?.total?.amountMinor ?? 0,
            order.totals?.paid?.amountMinor ?? 0, try body(order), order.orderID,
        ])
    }

    /// The stored body: the order without what the columns hold.
    private static func body(_ order: OrdersV1.Order) throws -> Data {
        var body = order
        body.orderID = 0
        body.number = ""
        body.clientID = 0
        body.version = 0
        body.status?.requiredFields = []
        return Data(try body.serializedBytes())
    }

    /// Whether `error` is the one-draft index refusing a second draft.
    static func isSecondDraft(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError, error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE else { return false }
        return error.message?.contains("customer_order.client_id") ?? false
    }
}
