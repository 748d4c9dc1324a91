import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

/// Reading the service's records into their proto shapes, inside a transaction. Shared by
/// reads and by mutations that answer with the changed record.
extension ClientsStore {
    /// The columns of `client` every loader reads, in this order.
    static let clientColumns = """
        id, first_name, last_name, patronymic, email, address_split, address_text, postal_code, city, country, region, metro,
        street, house, flat, building, entrance, floor, block, merged_into, created_at_ms, updated_at_ms
        """

    /// The positions of ``clientColumns`` in a row. Rows are read by position: GRDB finds a
    /// column by name by lowercasing the fetched row's column names on every access.
    enum ClientColumn: Int {
        case id, firstName, lastName, patronymic, email, addressSplit, addressText
        /// The address parts follow in ``AddressPart`` order, from `postal_code` to `block`.
        case postalCode
        case mergedInto = 19, createdAtMs, updatedAtMs
    }

    /// The row (``clientColumns``) of the surviving client for `clientID` (itself unless it was
    /// merged) and the id it was resolved from (0: not merged), or `NOT_FOUND`: one statement
    /// for a client that was not merged.
    ///
    /// Merges re-point every id merged before, so one hop always reaches the survivor.
    static func resolvedClientRow(_ db: Database, _ clientID: Int64) throws -> (row: PositionalRow, resolvedFrom: Int64) {
        guard let row = try db.positionalRow(sql: clientRowSQL, [clientID]) else {
            throw RPCError.notFound("client \(clientID) does not exist")
        }
        guard let survivor: Int64 = row[ClientColumn.mergedInto.rawValue] else { return (row, 0) }
        guard let survivorRow = try db.positionalRow(sql: clientRowSQL, [survivor]) else {
            throw RPCError.notFound("client \(clientID) was merged into \(survivor), which does not exist")
        }
        return (survivorRow, clientID)
    }

    /// A client's row by id: ``clientColumns``.
    static let clientRowSQL = "SELECT \(clientColumns) FROM client WHERE id = ?"

    /// The surviving client for `clientID` (itself unless it was merged), or `NOT_FOUND`.
    ///
    /// Merges re-point every id merged before, so one hop always reaches the survivor.
    static func resolveClient(_ db: Database, _ clientID: Int64) throws -> (id: Int64, resolvedFrom: Int64) {
        guard let row = try db.positionalRow(sql: "SELECT id, merged_into FROM client WHERE id = ?", [clientID]) else {
            throw RPCError.notFound("client \(clientID) does not exist")
        }
        if let survivor: Int64 = row[1] { return (survivor, clientID) }
        return (clientID, 0)
    }

    /// The stored address of a client row.
    static func address(from row: some PositionalValues) -> ClientAddress {
        var address = ClientAddress()
        address.split = row[ClientColumn.addressSplit.rawValue]
        address.freeText = row[ClientColumn.addressText.rawValue]
        for (offset, part) in AddressPart.allCases.enumerated() { address[part] = row[ClientColumn.postalCode.rawValue + offset] }
        return address
    }

    /// The proto form of an address.
    static func proto(_ address: ClientAddress) -> ClientsV1.Address {
        var message = ClientsV1.Address()
        message.split = address.split
        message.text = address.displayText
        message.postalCode = address[.postalCode]
        message.city = address[.city]
        message.country = address[.country]
        message.region = address[.region]
        message.metro = address[.metro]
        message.street = address[.street]
        message.house = address[.house]
        message.flat = address[.flat]
        message.building = address[.building]
        message.entrance = address[.entrance]
        message.floor = address[.floor]
        message.block = address[.block]
        return message
    }

    /// A client's phones in order.
    static func phones(_ db: Database, clientID: Int64) throws -> [PhoneNumber] {
        try db.positionalRows(sql: "SELECT number, normalized FROM client_phone WHERE client_id = ? ORDER BY position", [clientID]) {
            PhoneNumber(entered: $0[0], normalized: $0[1])
        }
    }

    /// The proto form of a phone.
    static func proto(_ phone: PhoneNumber) -> ClientsV1.Phone {
        var message = ClientsV1.Phone()
        message.number = phone.entered
        message.normalized = phone.normalized
        return message
    }

    /// The proto form of a tag row (`id, name, color, client_count, deleting` first, by position).
    static func tag(from row: some PositionalValues) -> ClientsV1.Tag {
        var tag = ClientsV1.Tag()
        tag.tagID = row[0]
        tag.name = row[1]
        tag.color = row[2]
        tag.clientCount = row[3]
        tag.deleting = row[4]
        return tag
    }

    /// A tag by id, deleting or not.
    static func loadTag(_ db: Database, _ tagID: Int64) throws -> ClientsV1.Tag? {
        try db.row("SELECT id, name, color, client_count, deleting FROM tag WHERE id = ?", [tagID]).map(tag(from:))
    }

    /// The most tags a client record (card, tag answers, merge snapshots) lists; the rest are
    /// counted in `tag_count` and paged by `ListClientTags`.
    static let listedTagLimit = 20

    /// Up to `limit` of a client's tags after `cursor` (from the start when nil), the pinned one
    /// first, then in the order they were attached; tags being deleted are left out. `total`
    /// counts all of them; `more` says whether tags follow the ones given.
    ///
    /// One statement for a client with no more tags than a page (the card's usual case: the
    /// count is the rows read), a second one to count the rest otherwise. The rows come in
    /// order from `client_tag_in_order`: no temporary table sorts them (nor counts them, as a
    /// window beside the page would).
    static func clientTags(_ db: Database, clientID: Int64, after cursor: ClientTagCursor? = nil, limit: Int) throws -> (
        tags: [ClientsV1.ClientTag], total: Int, more: Bool
    ) {
        // A pinned flag of 2 sorts before every tag: no cursor starts at the first.
        let after = cursor ?? ClientTagCursor(pinned: 2, attachedAtMs: 0, tagID: 0)
        // One row more than `limit` tells that more follow.
        var read = 0
        var tags: [ClientsV1.ClientTag] = []
        try db.forEachPositionalRow(
            sql: """
            SELECT t.id, t.name, t.color, t.client_count, t.deleting, ct.pinned, ct.attached_at_ms
            FROM client_tag ct JOIN tag t ON t.id = ct.tag_id
            WHERE ct.client_id = ?1 AND t.deleting = 0
                AND (ct.pinned < ?2 OR (ct.pinned = ?2 AND (ct.attached_at_ms > ?3 OR (ct.attached_at_ms = ?3 AND ct.tag_id > ?4))))
            ORDER BY ct.pinned DESC, ct.attached_at_ms, ct.tag_id
            LIMIT ?5
            """, [clientID, after.pinned, after.attachedAtMs, after.tagID, limit + 1]
        ) { row in
            read += 1
            guard read <= limit else { return }
            var clientTag = ClientsV1.ClientTag()
            clientTag.tag = tag(from: row)
            clientTag.pinned = row[5]
            clientTag.attachedAtMs = row[6]
            tags.append(clientTag)
        }
        let total: Int
        if cursor == nil, read <= limit {
            total = read
        } else {
            total =
                try db.value(
                    Int.self,
                    "SELECT count(*) FROM client_tag ct JOIN tag t ON t.id = ct.tag_id WHERE ct.client_id = ? AND t.deleting = 0",
                    [clientID]) ?? 0
        }
        return (tags, total, read > limit)
    }

    /// A client record by its own id (no merge resolution), or nil.
    static func loadClient(_ db: Database, _ clientID: Int64) throws -> ClientsV1.Client? {
        try loadClientAndAddress(db, clientID)?.client
    }

    /// A client record by its own id (no merge resolution) with its stored address, or nil.
    static func loadClientAndAddress(_ db: Database, _ clientID: Int64) throws -> (client: ClientsV1.Client, address: ClientAddress)? {
        guard let row = try db.positionalRow(sql: clientRowSQL, [clientID]) else { return nil }
        return try clientAndAddress(db, row: row)
    }

    /// The client record of a row of ``clientColumns`` (its phones and tags read here), with
    /// its stored address.
    static func clientAndAddress(_ db: Database, row: PositionalRow) throws -> (client: ClientsV1.Client, address: ClientAddress) {
        let clientID: Int64 = row[ClientColumn.id.rawValue]
        let address = address(from: row)
        var client = ClientsV1.Client()
        client.clientID = clientID
        client.firstName = row[ClientColumn.firstName.rawValue]
        client.lastName = row[ClientColumn.lastName.rawValue]
        client.patronymic = row[ClientColumn.patronymic.rawValue]
        client.displayName = PersonName(first: client.firstName, last: client.lastName, patronymic: client.patronymic).displayName
        client.email = row[ClientColumn.email.rawValue]
        client.address = proto(address)
        client.createdAtMs = row[ClientColumn.createdAtMs.rawValue]
        client.updatedAtMs = row[ClientColumn.updatedAtMs.rawValue]
        client.phones = try phones(db, clientID: clientID).map(proto)
        let tags = try clientTags(db, clientID: clientID, limit: listedTagLimit)
        client.tags = tags.tags
        client.tagCount = Int32(tags.total)
        return (client, address)
    }

    /// The short form of a client for lists and hints.
    static func summary(_ db: Database, _ clientID: Int64) throws -> ClientsV1.ClientSummary? {
        try summaries(db, [clientID])[clientID]
    }

    /// The short forms of several clients in one statement (lists read a page in one go).
    ///
    /// The ids go in as one JSON array that `json_each` walks (see ``JSONList``), each looked
    /// up by primary key.
    static func summaries(_ db: Database, _ clientIDs: some Collection<Int64>) throws -> [Int64: ClientsV1.ClientSummary] {
        guard !clientIDs.isEmpty else { return [:] }
        let ids = JSONList.integers(clientIDs)
        var summaries: [Int64: ClientsV1.ClientSummary] = [:]
        try db.forEachPositionalRow(
            sql: """
            SELECT c.id, c.first_name, c.last_name, c.patronymic, c.email,
                (SELECT number FROM client_phone p WHERE p.client_id = c.id ORDER BY position LIMIT 1) AS first_phone,
                t.id AS tag_id, t.name AS tag_name, t.color AS tag_color, t.client_count AS tag_client_count
            FROM json_each(?) j
            JOIN client c ON c.id = j.value
            LEFT JOIN client_tag ct ON ct.client_id = c.id AND ct.pinned = 1
            LEFT JOIN tag t ON t.id = ct.tag_id AND t.deleting = 0
            """, [ids]
        ) { row in
            // By position: id, first_name, last_name, patronymic, email, first_phone, tag_id,
            // tag_name, tag_color, tag_client_count.
            var summary = ClientsV1.ClientSummary()
            summary.clientID = row[0]
            summary.displayName = PersonName(first: row[1], last: row[2], patronymic: row[3]).displayName
            summary.email = row[4]
            summary.firstPhone = row[5] ?? ""
            if let tagID: Int64 = row[6] {
                var tag = ClientsV1.Tag()
                tag.tagID = tagID
                tag.name = row[7]
                tag.color = row[8]
                tag.clientCount = row[9]
                summary.pinnedTag = tag
            }
            summaries[summary.clientID] = summary
        }
        return summaries
    }

    /// The columns of `dialog` every loader reads.
    static let dialogColumns =
        "id, channel, external_login, display_name, phone, phone_normalized, email, client_id, created_at_ms, updated_at_ms"

    /// The positions of ``dialogColumns`` in a row.
    enum DialogColumn: Int {
        case id, channel, externalLogin, displayName, phone, phoneNormalized, email, clientID, createdAtMs, updatedAtMs
    }

    /// The proto form of a dialog row.
    static func dialog(from row: some PositionalValues) -> ClientsV1.Dialog {
        var dialog = ClientsV1.Dialog()
        dialog.dialogID = row[DialogColumn.id.rawValue]
        dialog.channel = row[DialogColumn.channel.rawValue]
        dialog.externalLogin = row[DialogColumn.externalLogin.rawValue]
        dialog.displayName = row[DialogColumn.displayName.rawValue]
        dialog.phone = row[DialogColumn.phone.rawValue]
        dialog.email = row[DialogColumn.email.rawValue]
        dialog.clientID = row[DialogColumn.clientID.rawValue]
        dialog.createdAtMs = row[DialogColumn.createdAtMs.rawValue]
        dialog.updatedAtMs = row[DialogColumn.updatedAtMs.rawValue]
        return dialog
    }

    /// A dialog's row by id: ``dialogColumns``.
    static let dialogRowSQL = "SELECT \(dialogColumns) FROM dialog WHERE id = ?"

    /// A dialog row by id, or `NOT_FOUND`.
    static func dialogRow(_ db: Database, _ dialogID: String) throws -> PositionalRow {
        guard let row = try db.positionalRow(sql: dialogRowSQL, [dialogID]) else {
            throw RPCError.notFound("dialog \(dialogID) does not exist")
        }
        return row
    }
}
