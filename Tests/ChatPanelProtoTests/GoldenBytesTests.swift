import ChatPanelProto
import Testing

/// Hand-computed wire bytes: the encoder must produce exactly these bytes, and the decoder must
/// read them (and the other valid encodings a peer may send) back into the same message.
@Suite("Golden bytes")
struct GoldenBytesTests {
    /// A message and its expected encoding, hex with spaces.
    struct Golden: Sendable, CustomTestStringConvertible {
        let name: String
        let message: TestingV1.AllKinds
        let hex: String

        var testDescription: String { name }
    }

    static let goldens: [Golden] = [
        Golden(name: "default message is empty", message: TestingV1.AllKinds(), hex: ""),
        // Negative int32 is sign-extended to ten bytes.
        Golden(name: "int32 -1", message: .with { $0.i32 = -1 }, hex: "08 ff ff ff ff ff ff ff ff ff 01"),
        Golden(name: "int32 150", message: .with { $0.i32 = 150 }, hex: "08 96 01"),
        Golden(name: "uint64 max", message: .with { $0.u64 = .max }, hex: "20 ff ff ff ff ff ff ff ff ff 01"),
        // ZigZag: -1 -> 1, 1 -> 2, -2 -> 3.
        Golden(name: "sint32 -1", message: .with { $0.s32 = -1 }, hex: "28 01"),
        Golden(name: "sint32 1", message: .with { $0.s32 = 1 }, hex: "28 02"),
        Golden(name: "sint64 -2", message: .with { $0.s64 = -2 }, hex: "30 03"),
        Golden(name: "sint64 min", message: .with { $0.s64 = .min }, hex: "30 ff ff ff ff ff ff ff ff ff 01"),
        Golden(name: "fixed32 1", message: .with { $0.f32 = 1 }, hex: "3d 01 00 00 00"),
        Golden(name: "fixed64 1", message: .with { $0.f64 = 1 }, hex: "41 01 00 00 00 00 00 00 00"),
        Golden(name: "sfixed32 -2", message: .with { $0.sf32 = -2 }, hex: "4d fe ff ff ff"),
        Golden(name: "sfixed64 -2", message: .with { $0.sf64 = -2 }, hex: "51 fe ff ff ff ff ff ff ff"),
        Golden(name: "float 1.0", message: .with { $0.fl = 1 }, hex: "5d 00 00 80 3f"),
        Golden(name: "double 1.0", message: .with { $0.db = 1 }, hex: "61 00 00 00 00 00 00 f0 3f"),
        Golden(name: "bool true", message: .with { $0.flag = true }, hex: "68 01"),
        Golden(name: "string Cyrillic", message: .with { $0.text = "П" }, hex: "72 02 d0 9f"),
        Golden(name: "string emoji", message: .with { $0.text = "😀" }, hex: "72 04 f0 9f 98 80"),
        Golden(name: "bytes with zeros", message: .with { $0.blob = [0, 0] }, hex: "7a 02 00 00"),
        Golden(name: "enum GREEN", message: .with { $0.color = .green }, hex: "80 01 02"),
        Golden(name: "enum unrecognized -1", message: .with { $0.color = .unrecognized(-1) }, hex: "80 01 ff ff ff ff ff ff ff ff ff 01"),
        Golden(name: "nested Inner", message: .with { $0.inner = makeInner("a", 150) }, hex: "8a 01 06 0a 01 61 10 96 01"),
        Golden(name: "nested empty Inner", message: .with { $0.inner = TestingV1.Inner() }, hex: "8a 01 00"),
        Golden(name: "packed int64", message: .with { $0.numbers = [1, 150] }, hex: "92 01 03 01 96 01"),
        Golden(name: "repeated string", message: .with { $0.words = ["a", ""] }, hex: "9a 01 01 61 9a 01 00"),
        Golden(name: "repeated message", message: .with { $0.inners = [TestingV1.Inner(), makeInner("b", 0)] }, hex: "a2 01 00 a2 01 03 0a 01 62"),
        Golden(name: "packed enum", message: .with { $0.colors = [.red, .green] }, hex: "aa 01 02 01 02"),
        Golden(name: "repeated bytes", message: .with { $0.blobs = [[], [0]] }, hex: "b2 01 00 b2 01 01 00"),
        Golden(name: "optional int64 set to 0", message: .with { $0.maybeCount = 0 }, hex: "b8 01 00"),
        Golden(name: "optional string set to empty", message: .with { $0.maybeName = "" }, hex: "c2 01 00"),
        Golden(name: "optional message set to empty", message: .with { $0.maybeInner = TestingV1.Inner() }, hex: "f2 01 00"),
        Golden(name: "oneof email", message: .with { $0.contact = .email("a") }, hex: "ca 01 01 61"),
        Golden(name: "oneof phone empty", message: .with { $0.contact = .phone("") }, hex: "d2 01 00"),
        Golden(name: "oneof postal empty", message: .with { $0.contact = .postal(TestingV1.Inner()) }, hex: "da 01 00"),
        Golden(name: "packed bool", message: .with { $0.flags = [true, false] }, hex: "e2 01 02 01 00"),
        Golden(name: "packed double", message: .with { $0.doubles = [1] }, hex: "ea 01 08 00 00 00 00 00 00 f0 3f"),
        // Fields are written in field-number order, oneof members included.
        Golden(
            name: "field order",
            message: .with {
                $0.contact = .email("a")
                $0.maybeCount = 1
                $0.text = "a"
                $0.i32 = 150
            },
            hex: "08 96 01 72 01 61 b8 01 01 ca 01 01 61"
        ),
    ]

    @Test("encoder produces the expected bytes", arguments: goldens)
    func encode(_ golden: Golden) throws {
        #expect(try golden.message.serializedBytes() == WireBytes.hex(golden.hex))
        #expect(try golden.message.onePassBytes() == WireBytes.hex(golden.hex))
    }

    @Test("decoder reads the expected bytes", arguments: goldens)
    func decode(_ golden: Golden) throws {
        #expect(try TestingV1.AllKinds(serializedBytes: WireBytes.hex(golden.hex)) == golden.message)
    }

    @Test("Inner{label: \"a\", value: 150}")
    func innerBytes() throws {
        let message = makeInner("a", 150)
        let bytes = WireBytes.hex("0a 01 61 10 96 01")
        #expect(try message.serializedBytes() == bytes)
        #expect(try message.onePassBytes() == bytes)
        #expect(try TestingV1.Inner(serializedBytes: bytes) == message)
    }

    @Test("Node{name: \"a\", child: {name: \"b\"}}")
    func nodeBytes() throws {
        var child = TestingV1.Node()
        child.name = "b"
        var node = TestingV1.Node()
        node.name = "a"
        node.child = child
        let bytes = WireBytes.hex("0a 01 61 12 03 0a 01 62")
        #expect(try node.serializedBytes() == bytes)
        #expect(try node.onePassBytes() == bytes)
        #expect(try TestingV1.Node(serializedBytes: bytes) == node)
    }

    @Test("hand-built nested Node bytes match the encoder")
    func nestedNodeBuilder() throws {
        #expect(WireBytes.nestedNodes(depth: 0, leafName: "b") == WireBytes.hex("0a 01 62"))
        #expect(WireBytes.nestedNodes(depth: 2, leafName: "b") == WireBytes.hex("12 05 12 03 0a 01 62"))
        var node = TestingV1.Node()
        node.name = "leaf"
        for _ in 0..<200 {
            var parent = TestingV1.Node()
            parent.child = node
            node = parent
        }
        // 200 levels need two-byte lengths near the top.
        #expect(try node.serializedBytes() == WireBytes.nestedNodes(depth: 200))
        #expect(try node.onePassBytes() == WireBytes.nestedNodes(depth: 200))
    }

    /// Valid encodings our encoder never produces but a peer may send.
    struct Alternative: Sendable, CustomTestStringConvertible {
        let name: String
        let hex: String
        let expected: TestingV1.AllKinds

        var testDescription: String { name }
    }

    static let alternatives: [Alternative] = [
        Alternative(name: "unpacked repeated int64", hex: "90 01 01 90 01 96 01", expected: .with { $0.numbers = [1, 150] }),
        Alternative(name: "packed runs are concatenated", hex: "92 01 01 01 92 01 01 02", expected: .with { $0.numbers = [1, 2] }),
        Alternative(name: "unpacked repeated bool", hex: "e0 01 01 e0 01 00", expected: .with { $0.flags = [true, false] }),
        Alternative(name: "last value of a singular field wins", hex: "08 01 08 02", expected: .with { $0.i32 = 2 }),
        Alternative(name: "last oneof member wins", hex: "ca 01 01 61 d2 01 01 62", expected: .with { $0.contact = .phone("b") }),
        Alternative(name: "explicit default values", hex: "08 00 68 00 72 00", expected: TestingV1.AllKinds()),
        Alternative(name: "non-minimal varint", hex: "08 81 80 80 00", expected: .with { $0.i32 = 1 }),
        Alternative(
            name: "fields out of order",
            hex: "ca 01 01 61 72 01 61 08 96 01",
            expected: .with {
                $0.i32 = 150
                $0.text = "a"
                $0.contact = .email("a")
            }
        ),
    ]

    @Test("decoder accepts other valid encodings", arguments: alternatives)
    func alternative(_ case_: Alternative) throws {
        #expect(try TestingV1.AllKinds(serializedBytes: WireBytes.hex(case_.hex)) == case_.expected)
    }
}
