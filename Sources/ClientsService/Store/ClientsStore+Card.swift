public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension ClientsStore {
    /// The panel's client block for a dialog, in one snapshot: the dialog's contact, its client
    /// (phones, email, address, tags with the pinned one first), the manager's pinned fields
    /// and the client's filled ones, and the duplicates of both (CLIENT-1..9, TAG-4).
    public func clientCard(dialogID: String, managerID: Int64) async throws -> ClientsV1.ClientCard {
        try await database.read { db in try Self.card(db, dialogID: dialogID, managerID: managerID, catalog: fieldCatalog) }
    }

    /// The client block for a client (a merged id answers with the survivor).
    public func clientCard(clientID: Int64, managerID: Int64) async throws -> ClientsV1.ClientCard {
        try await database.read { db in try Self.card(db, clientID: clientID, managerID: managerID, catalog: fieldCatalog) }
    }

    /// The client block for a dialog, read at once (``ChatPanelStore/SQLiteStore/readNow(_:)``):
    /// for the handler that answers inside the read of its request.
    func clientCardNow(dialogID: String, managerID: Int64) throws -> ClientsV1.ClientCard {
        try database.readNow { db in try Self.card(db, dialogID: dialogID, managerID: managerID, catalog: fieldCatalog) }
    }

    /// The client block for a client, read at once (see ``clientCardNow(dialogID:managerID:)``).
    func clientCardNow(clientID: Int64, managerID: Int64) throws -> ClientsV1.ClientCard {
        try database.readNow { db in try Self.card(db, clientID: clientID, managerID: managerID, catalog: fieldCatalog) }
    }

    /// The card of a dialog, inside a transaction.
    static func card(_ db: Database, dialogID: String, managerID: Int64, catalog: FieldCatalogCache) throws -> ClientsV1.ClientCard {
        let row = try dialogRow(db, dialogID)
        var card = ClientsV1.ClientCard()
        var dialog = dialog(from: row)
        let phone: String = row[DialogColumn.phoneNormalized.rawValue]
        var phones = phone.isEmpty ? [] : [phone]
        var emails = dialog.email.isEmpty ? [] : [dialog.email]
        var linkedID: Int64? = nil
        if let clientID = dialog.clientID {
            let resolved = try resolvedClientRow(db, clientID).row
            let id: Int64 = resolved[ClientColumn.id.rawValue]
            dialog.clientID = id
            linkedID = id
            try fill(&card, db, clientRow: resolved, managerID: managerID, catalog: catalog, phones: &phones, emails: &emails)
        }
        card.dialog = dialog
        card.canSaveClient = linkedID == nil
        if linkedID == nil, !phone.isEmpty {
            // No client yet: the block shows the contact's phone.
            var shown = ClientsV1.Phone()
            shown.number = dialog.phone
            shown.normalized = phone
            card.shownPhone = shown
        }
        card.duplicates = try findDuplicates(db, phones: phones, emails: emails, excluding: linkedID)
        return card
    }

    /// The card of a client, inside a transaction; `dialogID` (when not empty) adds that dialog
    /// and its contact data to the duplicate search.
    static func card(
        _ db: Database, clientID: Int64, managerID: Int64, dialogID: String = "", catalog: FieldCatalogCache
    ) throws -> ClientsV1.ClientCard {
        let resolved = try resolvedClientRow(db, clientID)
        let resolvedID: Int64 = resolved.row[ClientColumn.id.rawValue]
        var card = ClientsV1.ClientCard()
        card.resolvedFromClientID = resolved.resolvedFrom
        var phones: [String] = []
        var emails: [String] = []
        if !dialogID.isEmpty {
            let row = try dialogRow(db, dialogID)
            var dialog = dialog(from: row)
            if let linked = dialog.clientID { dialog.clientID = try resolveClient(db, linked).id }
            let phone: String = row[DialogColumn.phoneNormalized.rawValue]
            if !phone.isEmpty { phones.append(phone) }
            if !dialog.email.isEmpty { emails.append(dialog.email) }
            card.canSaveClient = dialog.clientID == nil
            card.dialog = dialog
        }
        try fill(&card, db, clientRow: resolved.row, managerID: managerID, catalog: catalog, phones: &phones, emails: &emails)
        card.duplicates = try findDuplicates(db, phones: phones, emails: emails, excluding: resolvedID)
        return card
    }

    /// Adds the client, the phone its block shows, its fields, and its phones and email (for the
    /// duplicate search).
    private static func fill(
        _ card: inout ClientsV1.ClientCard, _ db: Database, clientRow: PositionalRow, managerID: Int64, catalog: FieldCatalogCache,
        phones: inout [String], emails: inout [String]
    ) throws {
        let (client, address) = try clientAndAddress(db, row: clientRow)
        card.client = client
        // CLIENT-5: the block shows the first phone and says how many others there are.
        card.shownPhone = client.phones.first
        card.otherPhoneCount = Int32(max(0, client.phones.count - 1))
        card.fields = try cardFields(db, client: client, address: address, managerID: managerID, catalog: catalog)
        for phone in client.phones where !phones.contains(phone.normalized) { phones.append(phone.normalized) }
        if !client.email.isEmpty, !emails.contains(client.email) { emails.append(client.email) }
    }
}
