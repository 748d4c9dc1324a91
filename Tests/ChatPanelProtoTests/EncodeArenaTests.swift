import ChatPanelProto
import Testing

/// Encoding builds protobuf-c structures in one arena per thread, reused from message to message
/// and never zeroed: what one encode leaves behind (every field set, a refused string, a message
/// of another type) never shows in the bytes of the next.
@Suite("Encoding: the reused arena")
struct EncodeArenaTests {
    /// A message with every field set to a value no default has.
    private static let full = TestingV1.AllKinds.with {
        $0.i32 = -7
        $0.i64 = .max
        $0.u32 = 9
        $0.u64 = .max
        $0.s32 = -5
        $0.s64 = .min
        $0.f32 = 11
        $0.f64 = 12
        $0.sf32 = -13
        $0.sf64 = -14
        $0.fl = 1.5
        $0.db = -2.5
        $0.flag = true
        $0.text = String(repeating: "текст ", count: 300)
        $0.blob = [UInt8](repeating: 0xA5, count: 5_000)
        $0.color = .green
        $0.inner = makeInner("inner", 3)
        $0.numbers = Array(1...300)
        $0.words = (0..<300).map { "word \($0)" }
        $0.inners = (0..<50).map { makeInner("inner \($0)", Int64($0)) }
        $0.colors = [.red, .green, .red]
        $0.blobs = (0..<10).map { [UInt8](repeating: UInt8($0 + 1), count: 700) }
        $0.maybeCount = 42
        $0.maybeName = "name"
        $0.contact = .phone("+79990000000")
        $0.flags = [true, false, true]
        $0.doubles = [1, 2, 3]
        $0.maybeInner = makeInner("maybe", 4)
    }

    @Test("a message encoded after a full one has the bytes it has on a fresh arena")
    func afterAFullMessage() throws {
        let small = TestingV1.AllKinds.with {
            $0.words = ["only"]
            $0.inner = TestingV1.Inner()
        }
        let onAFreshArena = try small.serializedBytes()
        for _ in 0..<3 {
            #expect(try Self.full.serializedBytes().count > 10_000)
            #expect(try TestingV1.AllKinds().serializedBytes() == [])
            #expect(try small.serializedBytes() == onAFreshArena)
            #expect(try roundTrip(small) == small)
        }
    }

    @Test("an encode refused half-way (a NUL in the tenth string) leaves nothing in the next")
    func afterARefusal() throws {
        let refused = TestingV1.AllKinds.with {
            $0.numbers = Array(1...100)
            $0.words = (0..<9).map { "word \($0)" } + ["bad\u{0}word"] + ["never written"]
        }
        let next = TestingV1.AllKinds.with { $0.numbers = [1] }
        let onAFreshArena = try next.serializedBytes()
        #expect(throws: ProtoCodingError.self) { try refused.serializedBytes() }
        #expect(try next.serializedBytes() == onAFreshArena)
        #expect(try TestingV1.AllKinds().serializedBytes() == [])
    }

    @Test("messages of different types encoded in turn keep their own bytes")
    func interleaved() throws {
        let node = TestingV1.Node.with {
            $0.name = "n"
            $0.child = TestingV1.Node.with { $0.name = "c" }
        }
        let nodeBytes = try node.serializedBytes()
        let inner = makeInner("i", 1)
        let innerBytes = try inner.serializedBytes()
        for _ in 0..<50 {
            _ = try Self.full.serializedBytes()
            #expect(try node.serializedBytes() == nodeBytes)
            #expect(try inner.serializedBytes() == innerBytes)
            #expect(try TestingV1.Node().serializedBytes() == [])
        }
    }
}
