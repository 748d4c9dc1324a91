public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension ClientsStore {
    /// Applies a validated edit to a client (a merged id edits the survivor) and answers with its
    /// card, duplicates included (CLIENT-2, CLIENT-3). `dialogID`, when not empty, adds that
    /// dialog to the card. Address rules (CLIENT-7) are checked against the stored address.
    public func updateClient(_ clientID: Int64, _ changes: ClientChanges, dialogID: String, by mutation: Mutation) async throws
        -> ClientsV1.ClientCard
    {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.updateClient.path) { db in
            let id = try Self.resolveClient(db, clientID).id
            try Self.apply(changes, to: id, db, addressFieldPrefix: "address.", now: self.now())
            try db.recordChanges([.client], clientID: id, at: self.now())
            return try Self.card(db, clientID: clientID, managerID: mutation.managerID, dialogID: dialogID, catalog: fieldCatalog)
        }
    }

    /// Applies a message fragment's change (CLIENT-8) and answers with the card. A free-text
    /// address fragment on a split address is `FAILED_PRECONDITION`.
    public func applyFragment(_ clientID: Int64, _ changes: ClientChanges, dialogID: String, by mutation: Mutation) async throws
        -> ClientsV1.ApplyFragmentResponse
    {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.applyFragment.path) { db in
            let id = try Self.resolveClient(db, clientID).id
            if changes.address?.freeText != nil, try db.value(Bool.self, "SELECT address_split FROM client WHERE id = ?", [id]) == true {
                throw RPCError.failedPrecondition("the client's address is split into parts: edit the parts instead")
            }
            try Self.apply(changes, to: id, db, addressFieldPrefix: "fragment.", now: self.now())
            try db.recordChanges([.client], clientID: id, at: self.now())
            var response = ClientsV1.ApplyFragmentResponse()
            response.card = try Self.card(db, clientID: clientID, managerID: mutation.managerID, dialogID: dialogID, catalog: fieldCatalog)
            return response
        }
    }

    /// Writes `changes` to client `id` inside a transaction.
    static func apply(_ changes: ClientChanges, to id: Int64, _ db: Database, addressFieldPrefix: String, now: Int64) throws {
        let row = try db.row("SELECT first_name, last_name, patronymic FROM client WHERE id = ?", [id])!
        var name = PersonName(first: row["first_name"], last: row["last_name"], patronymic: row["patronymic"])
        if let value = changes.firstName { name.first = value }
        if let value = changes.lastName { name.last = value }
        if let value = changes.patronymic { name.patronymic = value }
        try db.run(
            "UPDATE client SET first_name = ?, last_name = ?, patronymic = ?, name_key = ?, updated_at_ms = ? WHERE id = ?",
            [name.first, name.last, name.patronymic, SearchKey.make(name.displayName), now, id])
        if let email = changes.email {
            try db.run("UPDATE client SET email = ? WHERE id = ?", [email, id])
        }
        if let phones = changes.phones {
            try replacePhones(db, clientID: id, with: phones)
        }
        if let phone = changes.frontPhone {
            let others = try Self.phones(db, clientID: id).filter { $0.normalized != phone.normalized }
            try replacePhones(db, clientID: id, with: Array(([phone] + others).prefix(ClientChanges.maximumPhones)))
        }
        if let address = changes.address, !address.isEmpty {
            try updateAddress(db, clientID: id, changes: address, fieldPrefix: addressFieldPrefix, now: now)
        }
    }

    /// Replaces a client's phones, in order.
    static func replacePhones(_ db: Database, clientID: Int64, with phones: [PhoneNumber]) throws {
        try db.run("DELETE FROM client_phone WHERE client_id = ?", [clientID])
        for (position, phone) in phones.enumerated() {
            try db.run(
                "INSERT INTO client_phone (client_id, position, number, normalized) VALUES (?, ?, ?, ?)",
                [clientID, position, phone.entered, phone.normalized])
        }
    }

    /// Applies an address change by the rules of CLIENT-7 (``AddressRules``) and stores it.
    static func updateAddress(_ db: Database, clientID: Int64, changes: AddressChanges, fieldPrefix: String, now: Int64) throws {
        let row = try db.row(clientRowSQL, [clientID])!
        let next = try AddressRules.apply(changes, to: address(from: row), fieldPrefix: fieldPrefix)
        try storeAddress(db, clientID: clientID, next, now: now)
    }

    /// Writes every address column of a client.
    static func storeAddress(_ db: Database, clientID: Int64, _ address: ClientAddress, now: Int64) throws {
        var arguments: StatementArguments = [address.split, address.freeText]
        for part in AddressPart.allCases { arguments += [address[part]] }
        arguments += [now, clientID]
        let assignments = AddressPart.allCases.map { "\($0.rawValue) = ?" }.joined(separator: ", ")
        try db.run("UPDATE client SET address_split = ?, address_text = ?, \(assignments), updated_at_ms = ? WHERE id = ?", arguments)
    }
}
