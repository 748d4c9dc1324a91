public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension ClientsStore {
    /// The most clients a dialog list looks through for one page before it answers with what
    /// it found and a token to go on (tagged clients without dialogs cost a probe each).
    static let dialogListScanLimit = 20_000
    /// Tagged clients whose dialogs one statement of a dialog list reads.
    static let dialogListWindow = 500

    /// A page of clients (TAG-1): newest first, or by name for a name search. Every variant is
    /// index-driven and reads about one page of rows: tag filters walk `client_tag_by_tag`
    /// from the tag with the fewest clients (ALL) or merge each tag's walk (ANY); searches
    /// use the email, phone or name-key index.
    public func listClients(_ filter: ClientFilter, pageSize: Int, after token: PageToken?) async throws -> ClientsV1.ListClientsResponse {
        try await database.read { db in
            var ids: [Int64]
            var response = ClientsV1.ListClientsResponse()
            let tags = try Self.liveTagFilter(db, filter.tagIDs, match: filter.match)
            if case .namePrefix(let prefix)? = filter.query {
                var after = (key: "", id: Int64(0))
                switch token {
                case nil: break
                case .name(let key, let id)?: after = (key, id)
                default: throw RPCError.invalidArgument(field: "page_token", "belongs to another list")
                }
                guard let tags else { return response }
                let tagSQL = Self.tagCondition(column: "c.id", tags: tags, match: filter.match)
                let rows = try db.rows(
                    """
                    SELECT c.id, c.name_key FROM client c
                    WHERE c.merged_into IS NULL AND c.name_key >= ? AND c.name_key < ?
                        AND (c.name_key > ? OR (c.name_key = ? AND c.id > ?)) \(tagSQL.sql)
                    ORDER BY c.name_key, c.id LIMIT ?
                    """,
                    StatementArguments(
                        [prefix, SearchKey.upperBound(forPrefix: prefix), after.key, after.key] as [any DatabaseValueConvertible]) + [
                            after.id
                        ]
                        + tagSQL.arguments + [pageSize + 1])
                ids = rows.map { $0["id"] }
                if rows.count > pageSize {
                    response.nextPageToken = PageToken.name(key: rows[pageSize - 1]["name_key"], id: rows[pageSize - 1]["id"]).text
                }
            } else {
                var below = Int64.max
                switch token {
                case nil: break
                case .clientID(let id)?: below = id
                default: throw RPCError.invalidArgument(field: "page_token", "belongs to another list")
                }
                guard let tags else { return response }
                switch filter.query {
                case nil where tags.isEmpty:
                    ids = try db.values(
                        Int64.self, "SELECT id FROM client WHERE merged_into IS NULL AND id < ? ORDER BY id DESC LIMIT ?",
                        [below, pageSize + 1])
                case nil:
                    ids = try Self.taggedClientIDs(db, tags: tags, match: filter.match, below: below, limit: pageSize + 1)
                case .email(let email)?:
                    let tagSQL = Self.tagCondition(column: "c.id", tags: tags, match: filter.match)
                    ids = try db.values(
                        Int64.self,
                        """
                        SELECT c.id FROM client c WHERE c.email = ? AND c.email <> '' AND c.merged_into IS NULL AND c.id < ? \(tagSQL.sql)
                        ORDER BY c.id DESC LIMIT ?
                        """, StatementArguments([email, below] as [any DatabaseValueConvertible]) + tagSQL.arguments + [pageSize + 1])
                case .phone(let phone)?:
                    let tagSQL = Self.tagCondition(column: "p.client_id", tags: tags, match: filter.match)
                    ids = try db.values(
                        Int64.self,
                        """
                        SELECT DISTINCT p.client_id FROM client_phone p WHERE p.normalized = ? AND p.client_id < ? \(tagSQL.sql)
                        ORDER BY p.client_id DESC LIMIT ?
                        """, StatementArguments([phone, below] as [any DatabaseValueConvertible]) + tagSQL.arguments + [pageSize + 1])
                case .namePrefix?:
                    ids = []
                }
                if ids.count > pageSize { response.nextPageToken = PageToken.clientID(ids[pageSize - 1]).text }
            }
            let page = ids.prefix(pageSize)
            let summaries = try Self.summaries(db, page)
            response.clients = page.compactMap { summaries[$0] }
            return response
        }
    }

    /// A page of dialogs whose client carries the tags (TAG-1): clients newest first, each
    /// client's dialogs by id.
    public func listDialogs(tagIDs: [Int64], match: ClientsV1.TagMatch, pageSize: Int, after token: PageToken?) async throws
        -> ClientsV1.ListDialogsResponse
    {
        try await database.read { db in
            var response = ClientsV1.ListDialogsResponse()
            var below = Int64.max
            var pending: [(Row, Int64)] = []
            switch token {
            case nil: break
            case .dialog(let clientID, let dialogID)?:
                below = clientID
                pending = try db.rows(
                    "SELECT \(Self.dialogColumns) FROM dialog WHERE client_id = ? AND id > ? ORDER BY id", [clientID, dialogID]
                ).map { ($0, clientID) }
            default: throw RPCError.invalidArgument(field: "page_token", "belongs to another list")
            }
            guard let tags = try Self.liveTagFilter(db, tagIDs, match: match), !tags.isEmpty else { return response }
            var scanned = 0
            var exhausted = false
            while pending.count <= pageSize, scanned < Self.dialogListScanLimit {
                // A window of tagged clients, then their dialogs in one statement.
                let ids = try Self.taggedClientIDs(db, tags: tags, match: match, below: below, limit: Self.dialogListWindow)
                guard let last = ids.last else {
                    exhausted = true
                    break
                }
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                let rows = try Row.fetchAll(
                    db, sql: "SELECT \(Self.dialogColumns) FROM dialog WHERE client_id IN (\(marks)) ORDER BY client_id DESC, id",
                    arguments: StatementArguments(ids))
                pending += rows.map { ($0, $0["client_id"] as Int64) }
                below = last
                scanned += ids.count
            }
            let summaries = try Self.summaries(db, Set(pending.prefix(pageSize).map(\.1)))
            for (row, clientID) in pending.prefix(pageSize) {
                var item = ClientsV1.DialogSummary()
                item.dialog = Self.dialog(from: row)
                item.client = summaries[clientID]
                response.dialogs.append(item)
            }
            if pending.count > pageSize, let last = response.dialogs.last?.dialog {
                response.nextPageToken = PageToken.dialog(clientID: last.clientID ?? 0, dialogID: last.dialogID).text
            } else if !exhausted, pending.count <= pageSize {
                // The scan limit stopped this page: go on after the last client looked at.
                response.nextPageToken = PageToken.dialog(clientID: below, dialogID: "\u{10FFFF}").text
            }
            return response
        }
    }

    /// The filter's tags that exist and are not being deleted; nil when the filter can match
    /// nothing (ALL with such a tag, or ANY with none left).
    static func liveTagFilter(_ db: Database, _ tagIDs: [Int64], match: ClientsV1.TagMatch) throws -> [(id: Int64, count: Int64)]? {
        var live: [(id: Int64, count: Int64)] = []
        for id in tagIDs {
            if let row = try db.row("SELECT client_count FROM tag WHERE id = ? AND deleting = 0", [id]) {
                live.append((id, row["client_count"]))
            } else if match != .any {
                return nil
            }
        }
        if !tagIDs.isEmpty, live.isEmpty { return nil }
        return live
    }

    /// Ids of clients carrying the tags, below `below`, highest first, at most `limit`.
    ///
    /// ALL walks the tag with the fewest clients on `client_tag_by_tag` and checks the others
    /// by primary key; ANY walks each tag's range and merges them.
    static func taggedClientIDs(_ db: Database, tags: [(id: Int64, count: Int64)], match: ClientsV1.TagMatch, below: Int64, limit: Int)
        throws
        -> [Int64]
    {
        if match == .any {
            var ids = Set<Int64>()
            for tag in tags {
                ids.formUnion(
                    try db.values(
                        Int64.self, "SELECT client_id FROM client_tag WHERE tag_id = ? AND client_id < ? ORDER BY client_id DESC LIMIT ?",
                        [tag.id, below, limit]))
            }
            return Array(ids.sorted(by: >).prefix(limit))
        }
        guard let driver = tags.min(by: { $0.count < $1.count }) else { return [] }
        let others = tags.filter { $0.id != driver.id }
        let condition = others.map { _ in " AND EXISTS (SELECT 1 FROM client_tag x WHERE x.client_id = ct.client_id AND x.tag_id = ?)" }
            .joined()
        return try db.values(
            Int64.self,
            "SELECT ct.client_id FROM client_tag ct WHERE ct.tag_id = ? AND ct.client_id < ?\(condition) ORDER BY ct.client_id DESC LIMIT ?",
            StatementArguments([driver.id, below]) + StatementArguments(others.map(\.id)) + [limit])
    }

    /// An SQL condition (starting with AND) that `column` is a client carrying the tags.
    static func tagCondition(column: String, tags: [(id: Int64, count: Int64)], match: ClientsV1.TagMatch) -> (
        sql: String, arguments: StatementArguments
    ) {
        guard !tags.isEmpty else { return ("", StatementArguments()) }
        let ids = StatementArguments(tags.map(\.id))
        if match == .any {
            let marks = Array(repeating: "?", count: tags.count).joined(separator: ", ")
            return (" AND EXISTS (SELECT 1 FROM client_tag x WHERE x.client_id = \(column) AND x.tag_id IN (\(marks)))", ids)
        }
        let sql = tags.map { _ in " AND EXISTS (SELECT 1 FROM client_tag x WHERE x.client_id = \(column) AND x.tag_id = ?)" }.joined()
        return (sql, ids)
    }
}
