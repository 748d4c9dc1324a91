import ChatPanelProto
import Testing

/// Fields this build does not know are skipped on decode (forward compatibility) and, as the
/// Swift structs do not keep them, dropped on re-encode (pitfall P6).
@Suite("Unknown fields")
struct UnknownFieldTests {
    static let innerBytes = WireBytes.hex("0a 01 61 10 96 01")

    @Test(
        "unknown field 99 of every wire type is skipped",
        arguments: [
            ("varint", "98 06 01"),
            ("long varint", "98 06 ff ff ff ff ff ff ff ff ff 01"),
            ("fixed64", "99 06 01 02 03 04 05 06 07 08"),
            ("length-delimited", "9a 06 03 ff 00 c0"),
            ("empty length-delimited", "9a 06 00"),
            ("fixed32", "9d 06 01 02 03 04"),
        ]
    )
    func skipped(_ kind: String, _ hex: String) throws {
        let appended = Self.innerBytes + WireBytes.hex(hex)
        #expect(try TestingV1.Inner(serializedBytes: appended) == makeInner("a", 150))
        let prepended = WireBytes.hex(hex) + Self.innerBytes
        #expect(try TestingV1.Inner(serializedBytes: prepended) == makeInner("a", 150))
    }

    @Test("unknown length-delimited payload is not checked as a string")
    func unknownPayloadNotValidated() throws {
        // Invalid UTF-8 and NUL inside an unknown field are not our business.
        let bytes = Self.innerBytes + WireBytes.lengthDelimited(99, [0x00, 0xC3, 0x28, 0xFF])
        #expect(try TestingV1.Inner(serializedBytes: bytes) == makeInner("a", 150))
    }

    @Test("unknown fields inside a nested message are skipped")
    func nestedUnknown() throws {
        let innerWithUnknown = Self.innerBytes + WireBytes.hex("98 06 01")
        let bytes = WireBytes.lengthDelimited(17, innerWithUnknown) + WireBytes.hex("f8 06 05")  // + AllKinds field 111
        let decoded = try TestingV1.AllKinds(serializedBytes: bytes)
        #expect(decoded == TestingV1.AllKinds.with { $0.inner = makeInner("a", 150) })
    }

    @Test("a large field number is skipped")
    func largeFieldNumber() throws {
        // Field 536870911, the largest allowed, as a varint.
        let bytes = Self.innerBytes + WireBytes.key(536_870_911, wireType: 0) + [0x01]
        #expect(try TestingV1.Inner(serializedBytes: bytes) == makeInner("a", 150))
    }

    @Test("re-encoding drops unknown fields")
    func droppedOnReencode() throws {
        let bytes = Self.innerBytes + WireBytes.hex("98 06 01")
        let decoded = try TestingV1.Inner(serializedBytes: bytes)
        #expect(try decoded.serializedBytes() == Self.innerBytes)
    }
}
