import ChatPanelProto
import Testing

/// Encoding builds protobuf-c structures in one arena per thread, reused from message to message
/// and never zeroed: what one encode leaves behind (every field set, a refused string, a message
/// of another type) never shows in the bytes of the next.
@Suite("Encoding: the reused arena")
struct EncodeArenaTests {
    /// Every field set (``TestingV1/AllKinds/fullySet``), with long strings, payloads and
    /// lists: more than one of the arena's chunks.
    private static let full = {
        var message = TestingV1.AllKinds.fullySet
        message.text = String(repeating: "текст ", count: 300)
        message.blob = [UInt8](repeating: 0xA5, count: 5_000)
        message.numbers = Array(1...300)
        message.words = (0..<300).map { "word \($0)" }
        message.inners = (0..<50).map { makeInner("inner \($0)", Int64($0)) }
        message.blobs = (0..<10).map { [UInt8](repeating: UInt8($0 + 1), count: 700) }
        return message
    }()

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
