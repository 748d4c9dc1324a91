public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

/// Tags found for what a manager typed.
public struct TagMatches: Sendable {
    /// Prefix matches alphabetically, then infix matches alphabetically.
    public var tags: [ClientsV1.Tag]
    /// A tag with exactly this name (in any case) exists, possibly being deleted.
    public var exactMatch: Bool
}

extension ClientsStore {
    /// Tag autocomplete (TAG-2): tags whose name starts with `key` (a ``SearchKey``), then
    /// tags containing it, alphabetically, leaving out tags being deleted and tags `excludingClient` has.
    ///
    /// Why no trigram table: there are about 10 000 tags, and that number does not grow with
    /// clients. Prefix matches are an index range on `tag_live_name`; infix matches scan that
    /// narrow index (name keys only, about 10 000 short entries, well under a millisecond)
    /// and touch table rows only for the few that match. A trigram or n-gram table would cost
    /// writes on every tag change, and could not serve one- or two-letter queries anyway.
    public func autocompleteTags(key: String, limit: Int, excludingClient: Int64?) async throws -> TagMatches {
        try await database.read { db in
            let exclude = excludingClient ?? 0
            let notOwned = "(?3 = 0 OR NOT EXISTS (SELECT 1 FROM client_tag ct WHERE ct.client_id = ?3 AND ct.tag_id = tag.id))"
            var tags = try db.rows(
                """
                SELECT id, name, color, client_count, deleting FROM tag
                WHERE deleting = 0 AND name_key >= ?1 AND name_key < ?2 AND \(notOwned)
                ORDER BY name_key LIMIT ?4
                """, [key, SearchKey.upperBound(forPrefix: key), exclude, limit]
            ).map(Self.tag(from:))
            if tags.count < limit, !key.isEmpty {
                tags += try db.rows(
                    """
                    SELECT id, name, color, client_count, deleting FROM tag
                    WHERE deleting = 0 AND instr(name_key, ?1) > 1 AND \(notOwned)
                    ORDER BY name_key LIMIT ?4
                    """, [key, nil, exclude, limit - tags.count]
                ).map(Self.tag(from:))
            }
            let exact = key.isEmpty ? false : try db.value(Int.self, "SELECT 1 FROM tag WHERE name_key = ?", [key]) != nil
            return TagMatches(tags: tags, exactMatch: exact)
        }
    }

    /// One tag, or `NOT_FOUND`.
    public func tag(_ tagID: Int64) async throws -> ClientsV1.Tag {
        try await database.read { db in
            guard let tag = try Self.loadTag(db, tagID) else { throw RPCError.notFound("tag \(tagID) does not exist") }
            return tag
        }
    }

    /// Creates a tag with a random palette color (TAG-3). `ALREADY_EXISTS`, with the existing
    /// tag as the error's details, when the name is taken in any case.
    public func createTag(named name: String, by mutation: Mutation) async throws -> ClientsV1.Tag {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.createTag.path) { db in
            let key = SearchKey.make(name)
            if let row = try db.row("SELECT id, name, color, client_count, deleting FROM tag WHERE name_key = ?", [key]) {
                let existing = Self.tag(from: row)
                throw RPCError(
                    code: .alreadyExists, message: "tag \"\(existing.name)\" (\(existing.tagID)) exists",
                    details: try existing.serializedBytes())
            }
            try db.run(
                "INSERT INTO tag (name, name_key, color, created_by, created_at_ms) VALUES (?, ?, ?, ?, ?)",
                [name, key, TagRules.randomColor(), mutation.managerID, self.now()])
            return try Self.loadTag(db, db.lastInsertedRowID)!
        }
    }

    /// Attaches a tag to a client (TAG-5); attaching it again changes nothing. `NOT_FOUND` for
    /// an unknown client or tag, `FAILED_PRECONDITION` for a tag being deleted.
    public func attachTag(_ tagID: Int64, toClient clientID: Int64, by mutation: Mutation) async throws -> ClientsV1.ClientTagsResponse {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.attachTag.path) { db in
            let id = try Self.resolveClient(db, clientID).id
            let tag = try Self.liveTag(db, tagID)
            if tag.deleting { throw RPCError.failedPrecondition("tag \(tagID) is being deleted") }
            try db.run(
                "INSERT INTO client_tag (client_id, tag_id, pinned, attached_at_ms) VALUES (?, ?, 0, ?) ON CONFLICT DO NOTHING",
                [id, tagID, self.now()])
            if db.changesCount > 0 { try db.run("UPDATE tag SET client_count = client_count + 1 WHERE id = ?", [tagID]) }
            try db.recordChanges([.tags, .client], clientID: id, at: self.now())
            return try Self.clientTagsResponse(db, clientID: id)
        }
    }

    /// Detaches a tag from a client (TAG-5); detaching a tag the client lacks changes nothing.
    public func detachTag(_ tagID: Int64, fromClient clientID: Int64, by mutation: Mutation) async throws -> ClientsV1.ClientTagsResponse {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.detachTag.path) { db in
            let id = try Self.resolveClient(db, clientID).id
            _ = try Self.liveTag(db, tagID)
            try db.run("DELETE FROM client_tag WHERE client_id = ? AND tag_id = ?", [id, tagID])
            if db.changesCount > 0 { try db.run("UPDATE tag SET client_count = client_count - 1 WHERE id = ?", [tagID]) }
            try db.recordChanges([.tags, .client], clientID: id, at: self.now())
            return try Self.clientTagsResponse(db, clientID: id)
        }
    }

    /// Pins (unpinning the client's other tags) or unpins a client's tag (TAG-4).
    /// `FAILED_PRECONDITION` when the client does not have the tag.
    public func pinTag(_ tagID: Int64, onClient clientID: Int64, pinned: Bool, by mutation: Mutation) async throws
        -> ClientsV1.ClientTagsResponse
    {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.pinTag.path) { db in
            let id = try Self.resolveClient(db, clientID).id
            _ = try Self.liveTag(db, tagID)
            guard try db.value(Int.self, "SELECT 1 FROM client_tag WHERE client_id = ? AND tag_id = ?", [id, tagID]) != nil else {
                throw RPCError.failedPrecondition("client \(id) does not have tag \(tagID); attach it first")
            }
            if pinned { try db.run("UPDATE client_tag SET pinned = 0 WHERE client_id = ? AND pinned = 1", [id]) }
            try db.run("UPDATE client_tag SET pinned = ? WHERE client_id = ? AND tag_id = ?", [pinned, id, tagID])
            try db.recordChanges([.tags, .client], clientID: id, at: self.now())
            return try Self.clientTagsResponse(db, clientID: id)
        }
    }

    /// A tag that exists (deleting or not), or `NOT_FOUND`.
    static func liveTag(_ db: Database, _ tagID: Int64) throws -> ClientsV1.Tag {
        guard let tag = try loadTag(db, tagID) else { throw RPCError.notFound("tag \(tagID) does not exist") }
        return tag
    }

    /// A client's tags as an answer.
    static func clientTagsResponse(_ db: Database, clientID: Int64) throws -> ClientsV1.ClientTagsResponse {
        var response = ClientsV1.ClientTagsResponse()
        response.clientID = clientID
        let tags = try clientTags(db, clientID: clientID, limit: listedTagLimit)
        response.tags = tags.tags
        response.tagCount = Int32(tags.total)
        return response
    }
}
