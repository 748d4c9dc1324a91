public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension ClientsStore {
    /// Records a dialog or updates its contact data (its client link stays). With auto-save on
    /// (CLIENT-4), a dialog without a client gets one made from its contact data and linked.
    public func upsertDialog(_ contact: DialogContact, by mutation: Mutation) async throws -> ClientsV1.UpsertDialogResponse {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.upsertDialog.path) { db in
            let now = self.now()
            try db.run(
                """
                INSERT INTO dialog (id, channel, external_login, display_name, phone, phone_normalized, email, created_at_ms, updated_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, external_login = excluded.external_login,
                    display_name = excluded.display_name, phone = excluded.phone, phone_normalized = excluded.phone_normalized,
                    email = excluded.email, updated_at_ms = excluded.updated_at_ms
                """,
                [
                    contact.dialogID, contact.channel, contact.externalLogin, contact.displayName, contact.phone?.entered ?? "",
                    contact.phone?.normalized ?? "", contact.email, now, now,
                ])
            var response = ClientsV1.UpsertDialogResponse()
            let linked = try db.value(Int64.self, "SELECT client_id FROM dialog WHERE id = ?", [contact.dialogID])
            if linked == nil, try Self.settings(db).autoSaveClients {
                let clientID = try Self.createClient(
                    db, fromDialog: contact.dialogID, overrides: NameOverrides(), by: mutation.managerID, now: now)
                response.autoSavedClientID = clientID
                // Linked to a client now: every widget of the dialog's panel has data.
                try db.recordChanges(PanelWidget.allCases, dialogID: contact.dialogID, at: now)
            } else {
                try db.recordChanges([.client], dialogID: contact.dialogID, at: now)
            }
            response.dialog = Self.dialog(from: try Self.dialogRow(db, contact.dialogID))
            return response
        }
    }

    /// Creates a client from a dialog's contact data and links the dialog to it (CLIENT-1).
    /// `NOT_FOUND` for an unknown dialog; `FAILED_PRECONDITION` when the dialog has a client.
    public func saveClientFromDialog(_ dialogID: String, overrides: NameOverrides, by mutation: Mutation) async throws
        -> ClientsV1.ClientCard
    {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.saveClientFromDialog.path) { db in
            let row = try Self.dialogRow(db, dialogID)
            if let linked = row[DialogColumn.clientID.rawValue] as Int64? {
                throw RPCError.failedPrecondition("dialog \(dialogID) is already linked to client \(linked)")
            }
            _ = try Self.createClient(db, fromDialog: dialogID, overrides: overrides, by: mutation.managerID, now: self.now())
            try db.recordChanges(PanelWidget.allCases, dialogID: dialogID, at: self.now())
            return try Self.card(db, dialogID: dialogID, managerID: mutation.managerID, catalog: fieldCatalog)
        }
    }

    /// Links a dialog to an existing client (CLIENT-3), moving it from another client if needed.
    public func linkDialog(_ dialogID: String, to clientID: Int64, by mutation: Mutation) async throws -> ClientsV1.ClientCard {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.linkDialog.path) { db in
            _ = try Self.dialogRow(db, dialogID)
            let id = try Self.resolveClient(db, clientID).id
            try db.run("UPDATE dialog SET client_id = ?, updated_at_ms = ? WHERE id = ?", [id, self.now(), dialogID])
            try db.recordChanges(PanelWidget.allCases, dialogID: dialogID, at: self.now())
            return try Self.card(db, dialogID: dialogID, managerID: mutation.managerID, catalog: fieldCatalog)
        }
    }

    /// Makes a client from the dialog's contact (name parsed from the display name, its phone
    /// and email) and links the dialog; returns the new client's id.
    static func createClient(_ db: Database, fromDialog dialogID: String, overrides: NameOverrides, by managerID: Int64, now: Int64) throws
        -> Int64
    {
        let row = try dialogRow(db, dialogID)
        let name = overrides.applied(to: PersonName.parse(displayName: row[DialogColumn.displayName.rawValue]))
        try db.run(
            """
            INSERT INTO client (first_name, last_name, patronymic, name_key, email, created_by, created_at_ms, updated_at_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [name.first, name.last, name.patronymic, SearchKey.make(name.displayName), row[DialogColumn.email.rawValue] as String, managerID, now, now])
        let clientID = db.lastInsertedRowID
        let normalized: String = row[DialogColumn.phoneNormalized.rawValue]
        if !normalized.isEmpty {
            try replacePhones(db, clientID: clientID, with: [PhoneNumber(entered: row[DialogColumn.phone.rawValue], normalized: normalized)])
        }
        try db.run("UPDATE dialog SET client_id = ?, updated_at_ms = ? WHERE id = ?", [clientID, now, dialogID])
        return clientID
    }
}
