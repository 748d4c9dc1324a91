/// One-pass readers of messages whose encodings are read in place, for the hot paths where
/// protobuf-c's general decoding costs more than the reading (the RPC envelopes, a client card's
/// keys). Each reader takes the plain forms below; anything else goes to the general decoder
/// (``ProtoMessage/decoded(_:reading:)``), which decodes it or throws the error it always threw.
/// Tests and the `FuzzRequestFrame` fuzzer hold every reader's answer to the general decoder's.
extension ProtoMessage {
    /// What `read` makes of the bytes, or else what the general decoder does.
    static func decoded(_ bytes: UnsafeRawBufferPointer, reading read: (UnsafeRawBufferPointer) -> Self?) throws -> Self {
        if let message = read(bytes) { return message }
        return try Self(unsafeBytes: bytes)
    }
}

extension ProtoWire {
    /// The top-level fields of a message's bytes, each in a plain form: a one-byte key (every
    /// envelope field number is below 16), or with `longKeys` a key of any length in its
    /// shortest form; a length prefix of at most five bytes (what protobuf-c reads); varints in
    /// their shortest form. A longer varint is read differently by protobuf-c for some types (a
    /// `bool` whose set bit lies past the 64th is true there), so it is left to the general
    /// decoder. `failed` is set when the bytes end otherwise.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        /// Whether keys may take more than one byte (in their shortest form, for a field number up
        /// to protobuf's largest, 2^29 - 1): for a reader that steps over fields it does not know.
        let longKeys: Bool
        private var index = 0
        private(set) var failed = false

        init(_ bytes: UnsafeRawBufferPointer, longKeys: Bool = false) {
            self.bytes = bytes
            self.longKeys = longKeys
        }

        /// Whether the key of `field` takes the bytes this reader takes.
        private func keyIsShort(_ field: Field) -> Bool {
            let length = field.body.lowerBound - field.whole.lowerBound
            if length == 1 { return true }
            return longKeys && field.number < 1 << 29 && length == varintSize(UInt64(field.number) << 3)
        }

        /// The next field; nil at the end, or with `failed` set when it is not in that form.
        mutating func next() -> Field? {
            guard index < bytes.count else { return nil }
            guard let field = ProtoWire.field(in: bytes, at: &index), keyIsShort(field),
                field.payload.lowerBound - field.body.lowerBound <= 5,
                field.wireType != 0 || field.body.count == varintSize(field.value)
            else {
                failed = true
                return nil
            }
            return field
        }

        /// A length-delimited field's contents.
        func slice(_ field: Field) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: bytes[field.payload])
        }

        /// A string field's text; nil when it holds a NUL or is not UTF-8.
        func string(_ field: Field) -> String? {
            let contents = slice(field)
            guard WireValidator.stringProblem(contents) == nil else { return nil }
            return String(decoding: contents, as: UTF8.self)
        }
    }
}
