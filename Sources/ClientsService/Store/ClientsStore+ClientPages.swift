public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension ClientsStore {
    /// A page of a client's tags (a merged id answers for its survivor), the pinned one first,
    /// then in the order they were attached (TAG-4), with how many there are.
    public func clientTags(ofClient clientID: Int64, pageSize: Int, after token: PageToken?) async throws
        -> ClientsV1.ListClientTagsResponse
    {
        try await database.read { db in
            var cursor: ClientTagCursor? = nil
            switch token {
            case nil: break
            case .clientTag(let after)?: cursor = after
            default: throw RPCError.invalidArgument(field: "page_token", "belongs to another list")
            }
            let id = try Self.resolveClient(db, clientID).id
            let page = try Self.clientTags(db, clientID: id, after: cursor, limit: pageSize)
            var response = ClientsV1.ListClientTagsResponse()
            response.clientID = id
            response.tags = page.tags
            response.tagCount = Int32(page.total)
            if page.more, let last = page.tags.last {
                let next = ClientTagCursor(pinned: last.pinned ? 1 : 0, attachedAtMs: last.attachedAtMs, tagID: last.tag?.tagID ?? 0)
                response.nextPageToken = PageToken.clientTag(next).text
            }
            return response
        }
    }

    /// A page of a client's dialogs by dialog id (a merged id answers for its survivor): one
    /// range of the `dialog_client_id` index.
    public func dialogs(ofClient clientID: Int64, pageSize: Int, after token: PageToken?) async throws
        -> ClientsV1.ListClientDialogsResponse
    {
        try await database.read { db in
            var after = ""
            switch token {
            case nil: break
            case .clientDialog(let dialogID)?: after = dialogID
            default: throw RPCError.invalidArgument(field: "page_token", "belongs to another list")
            }
            let id = try Self.resolveClient(db, clientID).id
            let rows = try db.rows(
                "SELECT \(Self.dialogColumns) FROM dialog WHERE client_id = ? AND id > ? ORDER BY id LIMIT ?", [id, after, pageSize + 1])
            var response = ClientsV1.ListClientDialogsResponse()
            response.clientID = id
            response.dialogs = rows.prefix(pageSize).map(Self.dialog(from:))
            if rows.count > pageSize, let last = response.dialogs.last {
                response.nextPageToken = PageToken.clientDialog(last.dialogID).text
            }
            return response
        }
    }
}
