import ChatPanelProto
import Testing

/// The nesting bound checked before protobuf-c unpacks anything: protobuf-c itself has no limit
/// and overflows the stack on deeply nested input, so these tests must end in a thrown error,
/// never a crash.
@Suite("Nesting depth limit")
struct DepthLimitTests {
    @Test("Node nested 10 000 deep is refused, not a crash")
    func tenThousandDeep() throws {
        let bytes = WireBytes.nestedNodes(depth: 10_000)
        #expect(bytes.count > 30_000)
        let error = #expect(throws: ProtoCodingError.self) { try TestingV1.Node(serializedBytes: bytes) }
        let limit = ProtoDecodingLimits.default.maxDepth
        #expect(limit == 32)
        #expect(error == .tooDeep(field: WireBytes.childPath(depth: limit + 1), limit: limit))
        #expect(error?.reason.contains("\(limit)") == true)
    }

    @Test("Node nested 1 000 000 deep is refused too")
    func millionDeep() throws {
        let bytes = WireBytes.nestedNodes(depth: 1_000_000)
        #expect(throws: ProtoCodingError.tooDeep(field: WireBytes.childPath(depth: 33), limit: 32)) {
            try TestingV1.Node(serializedBytes: bytes)
        }
    }

    @Test("exactly at the default limit decodes")
    func atDefaultLimit() throws {
        let decoded = try TestingV1.Node(serializedBytes: WireBytes.nestedNodes(depth: 32))
        #expect(Self.depth(of: decoded) == 32)
        #expect(throws: ProtoCodingError.tooDeep(field: WireBytes.childPath(depth: 33), limit: 32)) {
            try TestingV1.Node(serializedBytes: WireBytes.nestedNodes(depth: 33))
        }
    }

    @Test("custom limit: exactly at it decodes, one beyond fails", arguments: [0, 1, 5])
    func customLimit(_ maxDepth: Int) throws {
        let limits = ProtoDecodingLimits(maxDepth: maxDepth)
        let atLimit = try TestingV1.Node(serializedBytes: WireBytes.nestedNodes(depth: maxDepth), limits: limits)
        #expect(Self.depth(of: atLimit) == maxDepth)
        #expect(Self.leaf(of: atLimit).name == "leaf")

        let error = #expect(throws: ProtoCodingError.self) {
            try TestingV1.Node(serializedBytes: WireBytes.nestedNodes(depth: maxDepth + 1), limits: limits)
        }
        #expect(error == .tooDeep(field: WireBytes.childPath(depth: maxDepth + 1), limit: maxDepth))
        #expect(error?.reason == "nests messages deeper than \(maxDepth) levels")
    }

    @Test("the limit counts every message field, repeated and oneof included")
    func otherMessageFields() throws {
        let limits = ProtoDecodingLimits(maxDepth: 1)
        let innerBytes = WireBytes.lengthDelimited(1, Array("x".utf8))
        // One level: fine for every kind of message field.
        for number: UInt64 in [17, 20, 27, 30] {
            let decoded = try TestingV1.AllKinds(serializedBytes: WireBytes.lengthDelimited(number, innerBytes), limits: limits)
            #expect(decoded != TestingV1.AllKinds())
        }
        // No nesting allowed at all.
        let none = ProtoDecodingLimits(maxDepth: 0)
        let cases: [(number: UInt64, field: String)] = [(17, "inner"), (20, "inners[0]"), (27, "postal"), (30, "maybe_inner")]
        for (number, field) in cases {
            #expect(throws: ProtoCodingError.tooDeep(field: field, limit: 0)) {
                try TestingV1.AllKinds(serializedBytes: WireBytes.lengthDelimited(number, innerBytes), limits: none)
            }
        }
    }

    @Test("a deep message inside an unknown field is skipped, not counted")
    func deepUnknownField() throws {
        // protobuf-c never parses unknown fields, so their contents cannot overflow the stack.
        let bytes = WireBytes.hex("0a 01 61") + WireBytes.lengthDelimited(99, WireBytes.nestedNodes(depth: 1_000))
        #expect(try TestingV1.Inner(serializedBytes: bytes) == makeInner("a", 0))
    }

    @Test("at the limit re-encodes to the same bytes")
    func reencodeAtLimit() throws {
        let bytes = WireBytes.nestedNodes(depth: 32)
        #expect(try TestingV1.Node(serializedBytes: bytes).serializedBytes() == bytes)
    }

    private static func depth(of node: TestingV1.Node) -> Int {
        var depth = 0
        var current = node
        while let child = current.child {
            depth += 1
            current = child
        }
        return depth
    }

    private static func leaf(of node: TestingV1.Node) -> TestingV1.Node {
        var current = node
        while let child = current.child { current = child }
        return current
    }
}
