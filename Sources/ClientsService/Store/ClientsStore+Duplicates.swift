public import ChatPanelProto
import ChatPanelStore
import GRDB

extension ClientsStore {
    /// The most duplicates one answer lists.
    static let duplicateLimit = 50

    /// The clients having a phone (normalized), lowest id first: `client_phone_normalized` in order.
    static let phoneDuplicatesSQL = "SELECT client_id FROM client_phone WHERE normalized = ? ORDER BY client_id LIMIT ?"

    /// The unmerged clients having an email, lowest id first: `client_email` (email, id) in
    /// order. The range on `id` (ids start at 1) keeps SQLite walking the index in id order
    /// when its statistics say an email matches one client: it would sort instead, in a
    /// temporary b-tree made and dropped on every call.
    static let emailDuplicatesSQL =
        "SELECT id FROM client WHERE email = ? AND email <> '' AND merged_into IS NULL AND id > 0 ORDER BY id LIMIT ?"

    /// Clients sharing a phone or email with the client (CLIENT-9); a merged id answers for its survivor.
    public func duplicates(ofClient clientID: Int64) async throws -> [ClientsV1.Duplicate] {
        try await database.read { db in
            let resolved = try Self.resolveClient(db, clientID)
            let phones = try Self.phones(db, clientID: resolved.id).map(\.normalized)
            let email = try db.value(String.self, "SELECT email FROM client WHERE id = ?", [resolved.id]) ?? ""
            return try Self.findDuplicates(db, phones: phones, emails: email.isEmpty ? [] : [email], excluding: resolved.id)
        }
    }

    /// Clients sharing a phone or email with a dialog's contact or its client (CLIENT-3).
    public func duplicates(ofDialog dialogID: String) async throws -> [ClientsV1.Duplicate] {
        try await database.read { db in try Self.card(db, dialogID: dialogID, managerID: 0, catalog: fieldCatalog).duplicates }
    }

    /// Unmerged clients other than `excluded` having one of `phones` (normalized) or `emails`,
    /// lowest id first, at most ``duplicateLimit``. Each lookup is one index range
    /// (`client_phone_normalized`, `client_email`), bounded even for a number many share.
    static func findDuplicates(_ db: Database, phones: [String], emails: [String], excluding excluded: Int64?) throws
        -> [ClientsV1.Duplicate]
    {
        var reasons: [Int64: [ClientsV1.DuplicateReason]] = [:]
        func note(_ clientID: Int64, _ kind: ClientsV1.DuplicateMatch, _ value: String) {
            guard clientID != excluded else { return }
            var reason = ClientsV1.DuplicateReason()
            reason.kind = kind
            reason.value = value
            reasons[clientID, default: []].append(reason)
        }
        for phone in phones where !phone.isEmpty {
            let ids = try db.positionalValues(Int64.self, sql: phoneDuplicatesSQL, [phone, duplicateLimit + 1])
            for id in Set(ids) { note(id, .phone, phone) }
        }
        for email in emails where !email.isEmpty {
            let ids = try db.positionalValues(Int64.self, sql: emailDuplicatesSQL, [email, duplicateLimit + 1])
            for id in ids { note(id, .email, email) }
        }
        let ids = reasons.keys.sorted().prefix(duplicateLimit)
        let summaries = try summaries(db, ids)
        return ids.compactMap { clientID in
            guard let summary = summaries[clientID] else { return nil }
            var duplicate = ClientsV1.Duplicate()
            duplicate.client = summary
            duplicate.reasons = reasons[clientID] ?? []
            return duplicate
        }
    }
}
