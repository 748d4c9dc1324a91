public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension OrdersStore {
    /// Creates or updates categories by code, in order (a parent must exist before or earlier
    /// in the list), then recomputes every category's path and full name.
    ///
    /// - Throws: INVALID_ARGUMENT naming `categories[i].parent_code` for a missing parent or a
    ///   category that would become its own ancestor.
    public func putCategories(_ categories: [OrdersV1.Category], requestID: String) async throws -> OrdersV1.PutCategoriesResponse {
        try await database.idempotentWrite(requestID: requestID, method: OrdersV1.Orders.putCategories.path) { db in
            var violations = FieldViolations()
            var created: UInt32 = 0
            var updated: UInt32 = 0
            for (index, category) in categories.enumerated() {
                var parentID: Int64? = nil
                if !category.parentCode.isEmpty {
                    parentID = try Int64.fetchOne(
                        db.cachedStatement(sql: "SELECT id FROM category WHERE code = ?"), arguments: [category.parentCode])
                    guard let parent = parentID else {
                        violations.add(field: "categories[\(index)].parent_code", "no category has code \(category.parentCode)")
                        continue
                    }
                    let selfID = try Int64.fetchOne(
                        db.cachedStatement(sql: "SELECT id FROM category WHERE code = ?"), arguments: [category.code])
                    if let selfID, try Self.isAncestor(selfID, of: parent, db) {
                        violations.add(field: "categories[\(index)].parent_code", "\(category.code) would become its own ancestor")
                        continue
                    }
                }
                let exists =
                    try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM category WHERE code = ?"), arguments: [category.code]) != nil
                try db.cachedStatement(
                    sql: """
                        INSERT INTO category (code, name, parent_id, path, full_name) VALUES (?1, ?2, ?3, '', '')
                        ON CONFLICT (code) DO UPDATE SET name = ?2, parent_id = ?3
                        """
                ).execute(arguments: [category.code, category.name, parentID])
                if exists { updated += 1 } else { created += 1 }
            }
            try violations.throwIfAny()
            try Self.recomputeCategoryPaths(db)
            var response = OrdersV1.PutCategoriesResponse()
            response.created = created
            response.updated = updated
            return response
        }
    }

    /// The whole category tree, parents before children, siblings by name.
    public func listCategories() async throws -> OrdersV1.ListCategoriesResponse {
        try await database.read { db in
            var response = OrdersV1.ListCategoriesResponse()
            response.categories = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.code, c.name, ifnull(p.code, '') FROM category c LEFT JOIN category p ON p.id = c.parent_id
                    ORDER BY c.full_name
                    """
            ).map { row in
                var category = OrdersV1.Category()
                category.code = row[0]
                category.name = row[1]
                category.parentCode = row[2]
                return category
            }
            return response
        }
    }

    /// Whether `ancestor` is `category` or one of its ancestors.
    static func isAncestor(_ ancestor: Int64, of category: Int64, _ db: Database) throws -> Bool {
        var current: Int64? = category
        var steps = 0
        while let id = current, steps < 10_000 {
            if id == ancestor { return true }
            current = try Int64.fetchOne(db.cachedStatement(sql: "SELECT parent_id FROM category WHERE id = ?"), arguments: [id])
            steps += 1
        }
        return false
    }

    /// Sets `path` ("/3/17/") and `full_name` ("Кухня / Кофеварки") of every category from its parents.
    static func recomputeCategoryPaths(_ db: Database) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT id, name, parent_id FROM category")
        var children: [Int64?: [(Int64, String)]] = [:]
        for row in rows { children[row[2] as Int64?, default: []].append((row[0], row[1])) }
        var stack: [(id: Int64, name: String, path: String, fullName: String)] =
            (children[nil] ?? []).map { ($0.0, $0.1, "/\($0.0)/", $0.1) }
        let update = try db.cachedStatement(
            sql: "UPDATE category SET path = ?, full_name = ? WHERE id = ? AND (path <> ?1 OR full_name <> ?2)")
        while let node = stack.popLast() {
            try update.execute(arguments: [node.path, node.fullName, node.id])
            for child in children[node.id] ?? [] {
                stack.append((child.0, child.1, node.path + "\(child.0)/", node.fullName + " / " + child.1))
            }
        }
    }
}
