/// Where a page of a client's orders ended: the last order's creation time and id. The next
/// page starts strictly after it (newest first), so orders created meanwhile never repeat or
/// skip the ones already listed.
struct OrderCursor: Sendable, Hashable {
    /// The client asked for (as asked: a merged client's id stays its own): a token goes on
    /// only that client's list.
    var clientID: Int64
    /// The last order's creation time, UTC ms.
    var createdAt: Int64
    /// The last order's id.
    var orderID: Int64

    private static let kind = "o2"

    /// A cursor after an order.
    init(clientID: Int64, createdAt: Int64, orderID: Int64) {
        self.clientID = clientID
        self.createdAt = createdAt
        self.orderID = orderID
    }

    /// The cursor a page token stands for; nil when the token is not one of ours.
    init?(token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 80, parts.count == 4, parts[0] == Self.kind, let clientID = Int64(parts[1]),
            let createdAt = Int64(parts[2]), let id = Int64(parts[3]), id > 0
        else { return nil }
        self.init(clientID: clientID, createdAt: createdAt, orderID: id)
    }

    /// The opaque page token.
    var token: String { "\(Self.kind).\(clientID).\(createdAt).\(orderID)" }
}

/// A page of a client's orders as asked for.
struct OrderPage: Sendable {
    var clientID: Int64
    var size: Int
    var after: OrderCursor?
}
