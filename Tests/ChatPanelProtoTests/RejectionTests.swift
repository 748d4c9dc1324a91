import ChatPanelProto
import Testing

/// Bytes the decoder must refuse, and values the encoder must refuse, each with the error kind
/// and the dotted path of the field at fault; plus the edge cases that must be accepted.
@Suite("Rejections")
struct RejectionTests {
    static let nulReason = ProtoCodingError.embeddedNUL(field: "").reason
    static let utf8Reason = ProtoCodingError.invalidUTF8(field: "").reason
    static let malformedReason = ProtoCodingError.malformed().reason

    // MARK: Strings

    /// Invalid UTF-8 sequences, from the shortest to the subtle ones.
    static let invalidUTF8: [[UInt8]] = [
        [0xC3, 0x28],  // bad continuation byte
        [0x80],  // lone continuation byte
        [0xC0, 0x80],  // overlong NUL ("modified UTF-8")
        [0xE0, 0x80, 0xAF],  // overlong '/'
        [0xED, 0xA0, 0x80],  // UTF-16 surrogate
        [0xF0, 0x9F, 0x98],  // truncated four-byte sequence
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        [0x61, 0xFF, 0x62],  // 0xFF never appears in UTF-8
    ]

    @Test("invalid UTF-8 in a string field", arguments: invalidUTF8)
    func invalidUTF8InText(_ payload: [UInt8]) throws {
        let bytes = WireBytes.lengthDelimited(14, payload)
        let error = #expect(throws: ProtoCodingError.self) { try TestingV1.AllKinds(serializedBytes: bytes) }
        #expect(error == .invalidUTF8(field: "text"))
        #expect(error?.field == "text")
        #expect(error?.reason == Self.utf8Reason)
    }

    @Test("invalid UTF-8 elsewhere names the field path")
    func invalidUTF8Paths() throws {
        let bad: [UInt8] = [0xC3, 0x28]
        let cases: [(bytes: [UInt8], field: String)] = [
            (WireBytes.lengthDelimited(19, Array("ok".utf8)) + WireBytes.lengthDelimited(19, bad), "words[1]"),
            // An element is named by its place among its field's, whatever comes between.
            (
                WireBytes.lengthDelimited(20, WireBytes.lengthDelimited(1, Array("a".utf8))) + WireBytes.lengthDelimited(19, Array("ok".utf8))
                    + WireBytes.lengthDelimited(20, []) + WireBytes.lengthDelimited(20, WireBytes.lengthDelimited(1, bad)),
                "inners[2].label"
            ),
            (WireBytes.lengthDelimited(24, bad), "maybe_name"),
            (WireBytes.lengthDelimited(26, bad), "phone"),
            (WireBytes.lengthDelimited(17, WireBytes.lengthDelimited(1, bad)), "inner.label"),
            (WireBytes.lengthDelimited(20, WireBytes.lengthDelimited(1, bad)), "inners[0].label"),
            (WireBytes.lengthDelimited(27, WireBytes.lengthDelimited(1, bad)), "postal.label"),
        ]
        for (bytes, field) in cases {
            #expect(throws: ProtoCodingError.invalidUTF8(field: field)) { try TestingV1.AllKinds(serializedBytes: bytes) }
        }
    }

    @Test("a NUL or a byte over 0x7F is found at every position, whatever the string's length")
    func everyPositionIsChecked() throws {
        let ascii = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        for length in 1...24 {
            let clean = Array(ascii.prefix(length))
            let decoded = try TestingV1.AllKinds(serializedBytes: WireBytes.lengthDelimited(14, clean))
            #expect(decoded.text == String(decoding: clean, as: UTF8.self))
            for position in 0..<length {
                var withNUL = clean
                withNUL[position] = 0
                #expect(throws: ProtoCodingError.embeddedNUL(field: "text")) {
                    try TestingV1.AllKinds(serializedBytes: WireBytes.lengthDelimited(14, withNUL))
                }
                var withHighByte = clean
                withHighByte[position] = 0xFF
                #expect(throws: ProtoCodingError.invalidUTF8(field: "text")) {
                    try TestingV1.AllKinds(serializedBytes: WireBytes.lengthDelimited(14, withHighByte))
                }
            }
            // Valid UTF-8 past ASCII, ending at each position: accepted as it is.
            let text = String(decoding: clean.dropLast(min(2, length)), as: UTF8.self) + (length >= 2 ? "é" : "")
            #expect(try TestingV1.AllKinds(serializedBytes: WireBytes.lengthDelimited(14, Array(text.utf8))).text == text)
        }
    }

    @Test("embedded NUL in a string field")
    func nulInText() throws {
        let bytes = WireBytes.hex("72 03 61 00 62")
        let error = #expect(throws: ProtoCodingError.self) { try TestingV1.AllKinds(serializedBytes: bytes) }
        #expect(error?.field == "text")
        #expect(error?.reason.contains("NUL") == true)
        #expect(error?.description == "text contains a NUL character")
        #expect(error == .embeddedNUL(field: "text"))
    }

    @Test("embedded NUL inside a nested message names the path")
    func nulInNested() throws {
        // AllKinds.inner (17) = Inner{label: "a\0b"}
        let bytes = WireBytes.hex("8a 01 05 0a 03 61 00 62")
        let error = #expect(throws: ProtoCodingError.self) { try TestingV1.AllKinds(serializedBytes: bytes) }
        #expect(error?.field == "inner.label")
        #expect(error?.reason == Self.nulReason)
    }

    @Test("embedded NUL elsewhere names the field path")
    func nulPaths() throws {
        let nul: [UInt8] = [0x00]
        let cases: [(bytes: [UInt8], field: String)] = [
            (WireBytes.lengthDelimited(19, nul), "words[0]"),
            (WireBytes.lengthDelimited(24, Array("a".utf8) + nul), "maybe_name"),
            (WireBytes.lengthDelimited(25, nul + Array("a".utf8)), "email"),
            (WireBytes.lengthDelimited(30, WireBytes.lengthDelimited(1, nul)), "maybe_inner.label"),
        ]
        for (bytes, field) in cases {
            #expect(throws: ProtoCodingError.embeddedNUL(field: field)) { try TestingV1.AllKinds(serializedBytes: bytes) }
        }
        let node = WireBytes.lengthDelimited(2, WireBytes.lengthDelimited(2, WireBytes.lengthDelimited(1, nul)))
        #expect(throws: ProtoCodingError.embeddedNUL(field: "child.child.name")) { try TestingV1.Node(serializedBytes: node) }
    }

    @Test("NUL and invalid UTF-8 are fine in bytes fields")
    func bytesFieldsAcceptAnything() throws {
        let payload: [UInt8] = [0x00, 0xC3, 0x28, 0xFF, 0x00]
        let bytes = WireBytes.lengthDelimited(15, payload) + WireBytes.lengthDelimited(22, payload)
        let decoded = try TestingV1.AllKinds(serializedBytes: bytes)
        #expect(decoded.blob == payload)
        #expect(decoded.blobs == [payload])
    }

    // MARK: Encoding

    @Test("encoding a string holding U+0000 throws with the field name")
    func encodeNUL() throws {
        let cases: [(message: TestingV1.AllKinds, field: String)] = [
            (.with { $0.text = "a\u{0}b" }, "text"),
            (.with { $0.text = "\u{0}" }, "text"),
            (.with { $0.words = ["ok", "x\u{0}"] }, "words"),
            (.with { $0.maybeName = "\u{0}" }, "maybe_name"),
            (.with { $0.contact = .email("a\u{0}") }, "email"),
            (.with { $0.contact = .phone("\u{0}1") }, "phone"),
        ]
        for (message, field) in cases {
            let error = #expect(throws: ProtoCodingError.self) { try message.serializedBytes() }
            #expect(error?.field == field)
            #expect(error?.reason == Self.nulReason)
        }
    }

    @Test("encoding a nested string holding U+0000 names the dotted path")
    func encodeNestedNUL() throws {
        let cases: [(message: TestingV1.AllKinds, field: String)] = [
            (.with { $0.inner = makeInner("\u{0}", 1) }, "inner.label"),
            (.with { $0.inners = [makeInner("ok", 1), makeInner("b\u{0}", 1)] }, "inners.label"),
            (.with { $0.contact = .postal(makeInner("\u{0}", 0)) }, "postal.label"),
            (.with { $0.maybeInner = makeInner("\u{0}", 0) }, "maybe_inner.label"),
        ]
        for (message, field) in cases {
            #expect(throws: ProtoCodingError.embeddedNUL(field: field)) { try message.serializedBytes() }
        }
        var leaf = TestingV1.Node()
        leaf.name = "\u{0}"
        var root = TestingV1.Node()
        root.child = leaf
        #expect(throws: ProtoCodingError.embeddedNUL(field: "child.name")) { try root.serializedBytes() }
    }

    // MARK: Malformed bytes

    /// A malformed input and the field the error should name.
    struct Malformed: Sendable, CustomTestStringConvertible {
        let name: String
        let hex: String
        let field: String

        var testDescription: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(name: "truncated varint", hex: "0a 01 61 10 96", field: "value"),
        Malformed(name: "truncated key", hex: "0a 01 61 96", field: ""),
        Malformed(name: "length beyond the end", hex: "0a 05 61", field: "label"),
        Malformed(name: "length prefix truncated", hex: "0a", field: "label"),
        Malformed(name: "huge length", hex: "0a ff ff ff ff 0f 61", field: "label"),
        Malformed(name: "length overflowing 64 bits", hex: "0a ff ff ff ff ff ff ff ff ff ff 01", field: "label"),
        Malformed(name: "wire type 7", hex: "0f 00", field: "label"),
        Malformed(name: "wire type 6", hex: "16 00", field: "value"),
        Malformed(name: "wire type 3 (group)", hex: "0b 0c", field: "label"),
        Malformed(name: "wire type 7 on an unknown field", hex: "0a 01 61 ff 01", field: ""),
        Malformed(name: "field number 0", hex: "00 01", field: ""),
        Malformed(name: "varint longer than ten bytes", hex: "10 ff ff ff ff ff ff ff ff ff ff 01", field: "value"),
        Malformed(name: "truncated fixed64 on an unknown field", hex: "19 01 02 03", field: ""),
    ]

    @Test("malformed Inner bytes", arguments: malformed)
    func malformedInner(_ case_: Malformed) throws {
        let error = #expect(throws: ProtoCodingError.self) { try TestingV1.Inner(serializedBytes: WireBytes.hex(case_.hex)) }
        #expect(error == .malformed(field: case_.field))
        #expect(error?.reason == Self.malformedReason)
    }

    @Test("malformed AllKinds bytes")
    func malformedAllKinds() throws {
        let cases: [(hex: String, field: String)] = [
            ("3d 01 02", "f32"),  // fixed32 cut short
            ("41 01 02 03 04 05 06 07", "f64"),  // fixed64 cut short
            ("8a 01 02 0a 05", "inner.label"),  // bad length inside a nested message
            ("8a 01 05 0a 01 61", "inner"),  // nested message longer than the input
            ("8a 01 01 0f", "inner.label"),  // wire type 7 inside a nested message
            ("92 01 05 01 02", "numbers"),  // packed run longer than the input
        ]
        for (hex, field) in cases {
            #expect(throws: ProtoCodingError.malformed(field: field)) { try TestingV1.AllKinds(serializedBytes: WireBytes.hex(hex)) }
        }
    }

    @Test("wire type that does not match the field is refused")
    func wrongWireType() throws {
        for hex in [
            "70 01",  // string field 14 as a varint
            "88 01 01",  // message field 17 as a varint
            "0d 01 00 00 00",  // int32 field 1 as fixed32
            "92 01 01 96",  // packed int64 with a truncated varint inside
        ] {
            let error = #expect(throws: ProtoCodingError.self, "\(hex)") { try TestingV1.AllKinds(serializedBytes: WireBytes.hex(hex)) }
            #expect(error?.reason == Self.malformedReason, "\(hex)")
        }
    }

    // MARK: Edge cases that must be accepted

    @Test("empty input decodes to the default message")
    func emptyInput() throws {
        #expect(try TestingV1.AllKinds(serializedBytes: []) == TestingV1.AllKinds())
        #expect(try TestingV1.Inner(serializedBytes: []) == TestingV1.Inner())
        #expect(try TestingV1.Node(serializedBytes: []) == TestingV1.Node())
        let decoded = try TestingV1.AllKinds(serializedBytes: [])
        #expect(decoded.inner == nil)
        #expect(decoded.maybeCount == nil)
        #expect(decoded.maybeName == nil)
        #expect(decoded.maybeInner == nil)
        #expect(decoded.contact == nil)
        #expect(decoded.color == .unspecified)
    }

    @Test("a copy of a slice of a larger array decodes")
    func sliceOfLargerArray() throws {
        let buffer: [UInt8] = [0xAA] + WireBytes.hex("0a 01 61 10 96 01") + [0xBB]
        let bytes = Array(buffer[1..<buffer.count - 1])
        #expect(try TestingV1.Inner(serializedBytes: bytes) == makeInner("a", 150))
    }
}
