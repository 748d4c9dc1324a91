import ChatPanelProto
import Testing

/// Decoding unpacks into one arena per thread, reused from message to message: what one
/// decode leaves behind (a large message, a refused one, a message of another type) never shows
/// in the next, and a message larger than the arena keeps is decoded whole.
@Suite("Decoding: the reused arena")
struct DecodeArenaTests {
    @Test("a small message after a large one on the same thread has only its own fields")
    func smallAfterLarge() throws {
        let large = TestingV1.AllKinds.with {
            $0.blobs = (0..<40).map { index in [UInt8](repeating: UInt8(index), count: 4_000) }
            $0.words = (0..<2_000).map { "word \($0)" }
            $0.inners = (0..<500).map { makeInner("inner \($0)", Int64($0)) }
        }
        #expect(try roundTrip(large) == large)
        let small = TestingV1.AllKinds.with { $0.words = ["only"] }
        let decoded = try roundTrip(small)
        #expect(decoded == small)
        #expect(decoded.blobs.isEmpty && decoded.inners.isEmpty)
    }

    @Test("a refused message leaves the arena usable for the next")
    func afterARefusal() throws {
        // A string with an invalid UTF-8 byte, then a length running past the end.
        let invalidUTF8: [UInt8] = [0x0A, 0x02, 0xC3, 0x28]
        #expect(throws: ProtoCodingError.self) { try TestingV1.Inner(serializedBytes: invalidUTF8) }
        #expect(throws: ProtoCodingError.self) { try TestingV1.Inner(serializedBytes: [0x0A, 0x10, 0x61]) }
        let inner = makeInner("after", 7)
        #expect(try roundTrip(inner) == inner)
    }

    @Test("messages of different types decoded in turn keep their values", arguments: 0..<3)
    func interleaved(_ round: Int) throws {
        for index in 0..<200 {
            let inner = makeInner("i\(index)-\(round)", Int64(index))
            let node = TestingV1.Node.with {
                $0.name = "n\(index)"
                $0.child = TestingV1.Node.with { $0.name = "c\(index)" }
            }
            #expect(try roundTrip(inner) == inner)
            #expect(try roundTrip(node) == node)
        }
    }
}
