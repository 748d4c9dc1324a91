public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import Foundation
import GRDB

extension ClientsStore {
    /// Merges client `mergedID` into `survivorID` (CLIENT-9) in one transaction, and records who,
    /// when and what (with a snapshot of the merged client) for the audit trail.
    ///
    /// The survivor keeps its own values; each of its empty names, email and (as a whole) its
    /// empty address is filled from the merged client. Phones it lacks (up to
    /// ``ClientChanges/maximumPhones`` in all, its own first: the record names the ones left out),
    /// tags it lacks, field values it lacks and every dialog move over; the rest of the merged
    /// client's links go.
    /// The merged id (and every id merged into it before) resolves to the survivor from then on.
    ///
    /// - Throws: `NOT_FOUND` for an unknown client; `FAILED_PRECONDITION` when the merged client
    ///   was merged already, or the survivor was (naming the client to merge into instead).
    public func mergeClients(survivor survivorID: Int64, merged mergedID: Int64, by mutation: Mutation) async throws
        -> ClientsV1.MergeRecord
    {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.mergeClients.path) { db in
            for id in [survivorID, mergedID] {
                guard let row = try db.row("SELECT merged_into FROM client WHERE id = ?", [id]) else {
                    throw RPCError.notFound("client \(id) does not exist")
                }
                if let into: Int64 = row["merged_into"] {
                    var refusal = ClientsV1.MergeRefusal()
                    refusal.reason = id == mergedID ? .alreadyMerged : .survivorMerged
                    refusal.clientID = id
                    refusal.mergedIntoClientID = into
                    throw RPCError(
                        code: .failedPrecondition,
                        message: id == mergedID
                            ? "client \(id) was already merged into client \(into)"
                            : "client \(id) was merged into client \(into): merge into \(into) instead",
                        details: try refusal.serializedBytes())
                }
            }
            let now = self.now()
            let snapshot = try Self.loadClient(db, mergedID)!
            let survivorRow = try db.row(Self.clientRowSQL, [survivorID])!
            let mergedRow = try db.row(Self.clientRowSQL, [mergedID])!
            var record = ClientsV1.MergeRecord()
            record.survivorClientID = survivorID
            record.mergedClientID = mergedID
            record.managerID = mutation.managerID
            record.mergedAtMs = now
            record.mergedClient = snapshot

            // Names and email: fill what the survivor lacks.
            var name = PersonName(first: survivorRow["first_name"], last: survivorRow["last_name"], patronymic: survivorRow["patronymic"])
            var email: String = survivorRow["email"]
            func fill(_ value: inout String, from column: String) {
                let other: String = mergedRow[column]
                if value.isEmpty, !other.isEmpty {
                    value = other
                    record.filledFields.append(column)
                }
            }
            fill(&name.first, from: "first_name")
            fill(&name.last, from: "last_name")
            fill(&name.patronymic, from: "patronymic")
            fill(&email, from: "email")
            try db.run(
                "UPDATE client SET first_name = ?, last_name = ?, patronymic = ?, name_key = ?, email = ?, updated_at_ms = ? WHERE id = ?",
                [name.first, name.last, name.patronymic, SearchKey.make(name.displayName), email, now, survivorID])
            // The address moves as a whole when the survivor has none.
            let mergedAddress = Self.address(from: mergedRow)
            if Self.address(from: survivorRow).isEmpty, !mergedAddress.isEmpty {
                try Self.storeAddress(db, clientID: survivorID, mergedAddress, now: now)
                record.filledFields.append("address")
            }

            // Phones the survivor lacks go after its own, up to the limit; the ones that do not
            // fit are named in the record (and stay in the merged client's snapshot).
            let survivorPhones = try Self.phones(db, clientID: survivorID)
            let newPhones = try Self.phones(db, clientID: mergedID).filter { phone in
                !survivorPhones.contains { $0.normalized == phone.normalized }
            }
            let phones = survivorPhones + newPhones
            let kept = Array(phones.prefix(ClientChanges.maximumPhones))
            let dropped = phones.dropFirst(ClientChanges.maximumPhones)
            try db.run("DELETE FROM client_phone WHERE client_id = ?", [mergedID])
            try Self.replacePhones(db, clientID: survivorID, with: kept)
            record.movedPhones = Int32(max(0, kept.count - survivorPhones.count))
            record.droppedPhones = dropped.map(Self.proto)

            // Tags: move the ones the survivor lacks (the pin too, unless it has its own).
            let survivorHasPin = try db.value(Int.self, "SELECT 1 FROM client_tag WHERE client_id = ? AND pinned = 1", [survivorID]) != nil
            for row in try db.rows("SELECT tag_id, pinned FROM client_tag WHERE client_id = ?", [mergedID]) {
                let tagID: Int64 = row["tag_id"]
                if try db.value(Int.self, "SELECT 1 FROM client_tag WHERE client_id = ? AND tag_id = ?", [survivorID, tagID]) != nil {
                    try db.run("DELETE FROM client_tag WHERE client_id = ? AND tag_id = ?", [mergedID, tagID])
                    try db.run("UPDATE tag SET client_count = max(0, client_count - 1) WHERE id = ?", [tagID])
                } else {
                    let pinned = (row["pinned"] as Bool) && !survivorHasPin
                    try db.run(
                        "UPDATE client_tag SET client_id = ?, pinned = ? WHERE client_id = ? AND tag_id = ?",
                        [survivorID, pinned, mergedID, tagID])
                    record.movedTags += 1
                }
            }

            // Field values the survivor lacks.
            try db.run(
                """
                UPDATE client_field_value SET client_id = ?1 WHERE client_id = ?2 AND field_code NOT IN (
                    SELECT field_code FROM client_field_value WHERE client_id = ?1)
                """, [survivorID, mergedID])
            record.movedFieldValues = Int32(db.changesCount)
            try db.run("DELETE FROM client_field_value WHERE client_id = ?", [mergedID])

            // Dialogs, the open one included; the record lists the first few, the audit row all.
            let movedDialogIDs = try db.values(String.self, "SELECT id FROM dialog WHERE client_id = ? ORDER BY id", [mergedID])
            record.movedDialogIDs = Array(movedDialogIDs.prefix(Self.listedMovedDialogLimit))
            record.movedDialogCount = Int32(movedDialogIDs.count)
            try db.run("UPDATE dialog SET client_id = ?, updated_at_ms = ? WHERE client_id = ?", [survivorID, now, mergedID])

            // The merged id, and every id merged into it before, now resolve to the survivor.
            try db.run("UPDATE client SET merged_into = ?, updated_at_ms = ? WHERE merged_into = ?", [survivorID, now, mergedID])
            try db.run("UPDATE client SET merged_into = ?, updated_at_ms = ? WHERE id = ?", [survivorID, now, mergedID])

            try db.run(
                """
                INSERT INTO client_merge (survivor_id, merged_id, manager_id, merged_at_ms, moved_phones, moved_tags, moved_field_values,
                    moved_dialog_ids, filled_fields, merged_snapshot, dropped_phones)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    survivorID, mergedID, mutation.managerID, now, record.movedPhones, record.movedTags, record.movedFieldValues,
                    movedDialogIDs.joined(separator: "\n"), record.filledFields.joined(separator: "\n"),
                    Data(try snapshot.serializedBytes()), Self.storedPhoneList(Array(dropped)),
                ])
            record.mergeID = db.lastInsertedRowID
            // The merged client's panels now show the survivor; the survivor's gain its records.
            for id in [survivorID, mergedID] { try db.recordChanges(PanelWidget.allCases, clientID: id, at: now) }
            return record
        }
    }

    /// The most moved dialog ids a merge record lists (`moved_dialog_count` counts them all).
    static let listedMovedDialogLimit = 50

    /// A page of the merges client `clientID` took part in, as survivor or as merged client,
    /// newest first: one range of `client_merge_survivor` and one of the merged id's unique index.
    public func merges(ofClient clientID: Int64, pageSize: Int, after token: PageToken?) async throws -> ClientsV1.ListMergesResponse {
        try await database.read { db in
            var below = Int64.max
            switch token {
            case nil: break
            case .merge(let id)?: below = id
            default: throw RPCError.invalidArgument(field: "page_token", "belongs to another list")
            }
            _ = try Self.resolveClient(db, clientID)
            let rows = try db.rows(
                """
                SELECT * FROM client_merge WHERE survivor_id = ?1 AND id < ?2
                UNION ALL SELECT * FROM client_merge WHERE merged_id = ?1 AND id < ?2
                ORDER BY id DESC LIMIT ?3
                """, [clientID, below, pageSize + 1])
            var response = ClientsV1.ListMergesResponse()
            response.merges = try rows.prefix(pageSize).map(Self.mergeRecord(from:))
            if rows.count > pageSize, let last = response.merges.last {
                response.nextPageToken = PageToken.merge(last.mergeID).text
            }
            return response
        }
    }

    /// The proto form of a `client_merge` row.
    static func mergeRecord(from row: Row) throws -> ClientsV1.MergeRecord {
        var record = ClientsV1.MergeRecord()
        record.mergeID = row["id"]
        record.survivorClientID = row["survivor_id"]
        record.mergedClientID = row["merged_id"]
        record.managerID = row["manager_id"]
        record.mergedAtMs = row["merged_at_ms"]
        record.movedPhones = row["moved_phones"]
        record.movedTags = row["moved_tags"]
        record.movedFieldValues = row["moved_field_values"]
        let dialogs: String = row["moved_dialog_ids"]
        let filled: String = row["filled_fields"]
        let dialogIDs = dialogs.isEmpty ? [] : dialogs.split(separator: "\n").map(String.init)
        record.movedDialogIDs = Array(dialogIDs.prefix(listedMovedDialogLimit))
        record.movedDialogCount = Int32(dialogIDs.count)
        record.filledFields = filled.isEmpty ? [] : filled.split(separator: "\n").map(String.init)
        record.droppedPhones = phoneList(stored: row["dropped_phones"]).map(proto)
        let snapshot: [UInt8] = [UInt8](row["merged_snapshot"] as Data)
        record.mergedClient = try ClientsV1.Client(serializedBytes: snapshot)
        return record
    }

    /// Phones as one text column: a line per phone, "entered<TAB>normalized" (entered text is
    /// one line with its white space collapsed, so it holds neither).
    static func storedPhoneList(_ phones: [PhoneNumber]) -> String {
        phones.map { "\($0.entered)\t\($0.normalized)" }.joined(separator: "\n")
    }

    /// The phones of a column written by ``storedPhoneList(_:)``.
    static func phoneList(stored text: String) -> [PhoneNumber] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            return parts.count == 2 ? PhoneNumber(entered: String(parts[0]), normalized: String(parts[1])) : nil
        }
    }
}
