extension ClientsV1.ClientCardKeys {
    /// The keys of a client card's bytes (an encoded `ClientCard`), read in one pass: the
    /// dialog's keys and the client's id are read, every other field of the card is stepped
    /// over without being looked into. The general decoder unpacked the whole card with the keys'
    /// descriptor, keeping each other field as an unknown one: about 9 700 instructions a panel.
    ///
    /// Bytes in a form this reading does not take go to the general decoder, which decodes them
    /// or throws the error it always threw: a field not in the form ``ProtoWire/Reader`` takes
    /// (keys of any length here), a key field twice or with another wire type, a key string that
    /// is not UTF-8 or holds a NUL.
    public init(card bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { try Self.decoded($0, reading: Self.read) }
    }

    /// The keys, or nil when the general decoder is to decide.
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var keys = Self()
        var reader = ProtoWire.Reader(bytes, longKeys: true)
        while let field = reader.next() {
            switch (field.number, field.wireType) {
            case (1, 2):
                guard keys.dialog == nil, let dialog = ClientsV1.DialogKeys.read(reader.slice(field)) else { return nil }
                keys.dialog = dialog
            case (2, 2):
                guard keys.client == nil, let client = ClientsV1.ClientKeys.read(reader.slice(field)) else { return nil }
                keys.client = client
            case (1, _), (2, _): return nil
            default: continue  // the rest of the card
            }
        }
        return reader.failed ? nil : keys
    }
}

extension ClientsV1.DialogKeys {
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var keys = Self()
        var reader = ProtoWire.Reader(bytes, longKeys: true)
        var seen: UInt8 = 0  // bit n: field n was read
        while let field = reader.next() {
            switch (field.number, field.wireType) {
            case (1...3, 2):
                let bit: UInt8 = 1 << field.number
                guard seen & bit == 0, let text = reader.string(field) else { return nil }
                seen |= bit
                switch field.number {
                case 1: keys.dialogID = text
                case 2: keys.channel = text
                default: keys.externalLogin = text
                }
            case (1...3, _): return nil
            default: continue  // the rest of the dialog
            }
        }
        return reader.failed ? nil : keys
    }
}

extension ClientsV1.ClientKeys {
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var keys = Self()
        var reader = ProtoWire.Reader(bytes, longKeys: true)
        var seen = false
        while let field = reader.next() {
            switch (field.number, field.wireType) {
            case (1, 0):
                guard !seen else { return nil }
                seen = true
                keys.clientID = Int64(bitPattern: field.value)
            case (1, _): return nil
            default: continue  // the rest of the client
            }
        }
        return reader.failed ? nil : keys
    }
}
