import ChatPanelProto
import Testing

/// Encode-then-decode round trips of every singular field kind of `AllKinds`: each integer
/// encoding at its extremes, floating point (bit patterns included), bool, string, bytes, enum
/// (unknown values included) and nested messages.
@Suite("Round trips: singular fields")
struct RoundTripTests {
    @Test("int32", arguments: [Int32.min, -1, 0, 1, 127, 128, Int32.max])
    func int32(_ value: Int32) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.i32 = value }).i32 == value)
    }

    @Test("int64", arguments: [Int64.min, Int64(Int32.min) - 1, -1, 0, 1, 300, Int64.max])
    func int64(_ value: Int64) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.i64 = value }).i64 == value)
    }

    @Test("uint32", arguments: [UInt32.min, 1, 127, 128, 16_384, UInt32.max])
    func uint32(_ value: UInt32) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.u32 = value }).u32 == value)
    }

    @Test("uint64", arguments: [UInt64.min, 1, UInt64(UInt32.max) + 1, UInt64.max - 1, UInt64.max])
    func uint64(_ value: UInt64) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.u64 = value }).u64 == value)
    }

    @Test("sint32 (zigzag)", arguments: [Int32.min, -65, -64, -1, 0, 1, 63, 64, Int32.max])
    func sint32(_ value: Int32) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.s32 = value }).s32 == value)
    }

    @Test("sint64 (zigzag)", arguments: [Int64.min, Int64.min + 1, -1, 0, 1, Int64.max - 1, Int64.max])
    func sint64(_ value: Int64) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.s64 = value }).s64 == value)
    }

    @Test("fixed32", arguments: [UInt32.min, 1, 0xDEAD_BEEF, UInt32.max])
    func fixed32(_ value: UInt32) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.f32 = value }).f32 == value)
    }

    @Test("fixed64", arguments: [UInt64.min, 1, 0x0123_4567_89AB_CDEF, UInt64.max])
    func fixed64(_ value: UInt64) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.f64 = value }).f64 == value)
    }

    @Test("sfixed32", arguments: [Int32.min, -2, -1, 0, 1, Int32.max])
    func sfixed32(_ value: Int32) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.sf32 = value }).sf32 == value)
    }

    @Test("sfixed64", arguments: [Int64.min, -2, -1, 0, 1, Int64.max])
    func sfixed64(_ value: Int64) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.sf64 = value }).sf64 == value)
    }

    @Test(
        "float keeps its bit pattern",
        arguments: [
            Float(1), -1.5, .pi, .ulpOfOne, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
            -.greatestFiniteMagnitude, .infinity, -.infinity, .nan, Float(bitPattern: 0x7FC0_1234),
        ]
    )
    func float(_ value: Float) throws {
        let message = TestingV1.AllKinds.with { $0.fl = value }
        let decoded = try TestingV1.AllKinds(serializedBytes: try message.serializedBytes())
        #expect(decoded.fl.bitPattern == value.bitPattern)
    }

    @Test(
        "double keeps its bit pattern",
        arguments: [
            Double(1), -1.5, .pi, 1e-300, 1e300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            .infinity, -.infinity, .nan, Double(bitPattern: 0x7FF8_0000_0000_BEEF),
        ]
    )
    func double(_ value: Double) throws {
        let message = TestingV1.AllKinds.with { $0.db = value }
        let decoded = try TestingV1.AllKinds(serializedBytes: try message.serializedBytes())
        #expect(decoded.db.bitPattern == value.bitPattern)
    }

    /// Pins a protobuf-c 1.4.1 limitation: a singular proto3 float or double equal to zero is
    /// not written, and protobuf-c compares with `== 0`, so -0.0 is dropped and decodes as +0.0
    /// (the C++ reference compares bit patterns and keeps it). Repeated fields keep -0.0.
    @Test("singular -0.0 decodes as +0.0 (protobuf-c drops it)")
    func negativeZero() throws {
        let message = TestingV1.AllKinds.with {
            $0.fl = -0.0
            $0.db = -0.0
        }
        let bytes = try message.serializedBytes()
        #expect(bytes == [])
        let decoded = try TestingV1.AllKinds(serializedBytes: bytes)
        #expect(decoded.fl.bitPattern == Float(0).bitPattern)
        #expect(decoded.db.bitPattern == Double(0).bitPattern)
    }

    @Test("bool", arguments: [true, false])
    func bool(_ value: Bool) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.flag = value }).flag == value)
    }

    @Test(
        "string keeps its exact UTF-8",
        arguments: [
            "", "a", "Привет, мир!", "👋🏽", "👨‍👩‍👧‍👦 семья", "日本語テキスト", "e\u{301} vs \u{E9}", "tab\tnew\nline \"quoted\" \\",
            "\u{10FFFF}\u{FFFD}\u{7F}", String(repeating: "я", count: 1000),
        ]
    )
    func string(_ value: String) throws {
        let decoded = try roundTrip(TestingV1.AllKinds.with { $0.text = value })
        // Compare the bytes: String equality would accept a Unicode-normalised copy.
        #expect(Array(decoded.text.utf8) == Array(value.utf8))
    }

    @Test(
        "bytes keep zero and high bytes",
        arguments: [
            [], [0], [0, 0, 0], [0xFF], [0x61, 0x00, 0x62], [0xC3, 0x28], Array(0...255),
            (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) },
        ] as [[UInt8]]
    )
    func bytes(_ value: [UInt8]) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.blob = value }).blob == value)
    }

    @Test("known enum values", arguments: TestingV1.Color.allCases)
    func knownEnum(_ value: TestingV1.Color) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.color = value }).color == value)
    }

    @Test("unrecognized enum values survive", arguments: [Int32(3), 99, -7, Int32.max, Int32.min])
    func unrecognizedEnum(_ raw: Int32) throws {
        let value = TestingV1.Color(rawValue: raw)
        #expect(value == .unrecognized(raw))
        let decoded = try roundTrip(TestingV1.AllKinds.with { $0.color = value })
        #expect(decoded.color == .unrecognized(raw))
        #expect(decoded.color.rawValue == raw)
    }

    @Test("nested message: unset, empty, filled")
    func nested() throws {
        #expect(try roundTrip(TestingV1.AllKinds()).inner == nil)
        // Set to an empty message: must come back present, not nil.
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.inner = TestingV1.Inner() }).inner == TestingV1.Inner())
        let filled = makeInner("Привет 👋", -150)
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.inner = filled }).inner == filled)
    }

    @Test("recursive message")
    func recursive() throws {
        var leaf = TestingV1.Node()
        leaf.name = "leaf"
        var middle = TestingV1.Node()
        middle.name = "middle"
        middle.child = leaf
        var root = TestingV1.Node()
        root.child = middle
        let decoded = try roundTrip(root)
        #expect(decoded.name == "")
        #expect(decoded.child?.name == "middle")
        #expect(decoded.child?.child?.name == "leaf")
        #expect(decoded.child?.child?.child == nil)
    }

    @Test("every field set at once")
    func everything() throws {
        let message = TestingV1.AllKinds.fullySet
        let decoded = try roundTrip(message)
        #expect(decoded.text == "Привет 👋")
        #expect(decoded.contact == .postal(makeInner("box", 7)))
        #expect(decoded.maybeCount == 0)
    }

    @Test("Echo messages")
    func echo() throws {
        try roundTrip(
            TestingV1.EchoRequest.with {
                $0.body = [0, 1, 2]
                $0.text = "эхо"
                $0.delayMs = 25
                $0.failCode = 14
                $0.count = UInt32.max
            }
        )
        try roundTrip(
            TestingV1.EchoResponse.with {
                $0.body = [0xFF]
                $0.text = "ok"
                $0.managerID = -1
                $0.index = 3
            }
        )
    }
}

extension TestingV1.AllKinds {
    /// A message with every field, optional and oneof set to a non-default value.
    static let fullySet = TestingV1.AllKinds.with {
        $0.i32 = -42
        $0.i64 = -9_000_000_000
        $0.u32 = 4_000_000_000
        $0.u64 = UInt64.max
        $0.s32 = -7
        $0.s64 = Int64.min
        $0.f32 = 0xDEAD_BEEF
        $0.f64 = 0x0123_4567_89AB_CDEF
        $0.sf32 = -3
        $0.sf64 = -4
        $0.fl = 0.25
        $0.db = -2.5
        $0.flag = true
        $0.text = "Привет 👋"
        $0.blob = [0, 0xFF, 0]
        $0.color = .green
        $0.inner = makeInner("a", 150)
        $0.numbers = [1, -2, Int64.max]
        $0.words = ["x", "", "слово"]
        $0.inners = [makeInner("p", 1), TestingV1.Inner()]
        $0.colors = [.red, .unrecognized(9), .unspecified]
        $0.blobs = [[], [0], [1, 2]]
        $0.maybeCount = 0
        $0.maybeName = ""
        $0.contact = .postal(makeInner("box", 7))
        $0.flags = [true, false]
        $0.doubles = [1.5, -0.0]
        $0.maybeInner = TestingV1.Inner()
    }
}
