import ChatPanelProto
import Testing

/// `ProtoWire.split`: the top-level fields of an encoded message without one of them.
@Suite struct ProtoWireTests {
    private func split(_ bytes: [UInt8], removing number: UInt32) -> (rest: [UInt8], removed: [UInt8]?)? {
        bytes.withUnsafeBytes { ProtoWire.split($0, removing: number...number, payloadOf: number) }.map { ($0.rest, $0.payload) }
    }

    @Test func everyWireTypeIsCopiedButTheRemovedField() throws {
        let varint = WireBytes.key(1, wireType: 0) + WireBytes.varint(300)
        let fixed64 = WireBytes.key(2, wireType: 1) + [1, 2, 3, 4, 5, 6, 7, 8]
        let message = WireBytes.lengthDelimited(5, WireBytes.lengthDelimited(1, Array("new".utf8)))
        let fixed32 = WireBytes.key(3, wireType: 5) + [9, 9, 9, 9]
        let text = WireBytes.lengthDelimited(2_000, Array("Кофе".utf8))
        let result = try #require(split(varint + fixed64 + message + fixed32 + text, removing: 5))
        #expect(result.rest == varint + fixed64 + fixed32 + text)
        #expect(result.removed == WireBytes.lengthDelimited(1, Array("new".utf8)))
        // A field that is absent: everything is kept.
        let untouched = try #require(split(varint + text, removing: 5))
        #expect(untouched.rest == varint + text && untouched.removed == nil)
        // A message of what the encoder writes reads back the same without the field.
        var allKinds = TestingV1.AllKinds.fullySet
        let kept = try #require(split(try allKinds.serializedBytes(), removing: 14))
        allKinds.text = ""
        #expect(try TestingV1.AllKinds(serializedBytes: kept.rest) == allKinds)
    }

    @Test func aRangeOfFieldsIsRemovedWhateverTheirWireTypes() throws {
        let kept = WireBytes.lengthDelimited(9, Array("kept".utf8))
        let removedOnes = WireBytes.key(1, wireType: 0) + WireBytes.varint(7) + WireBytes.key(4, wireType: 0) + [1]
            + WireBytes.lengthDelimited(5, [0x0A, 0x01, 0x61]) + WireBytes.key(7, wireType: 1) + [0, 0, 0, 0, 0, 0, 0, 1]
        let result = try #require(
            (kept + removedOnes + kept).withUnsafeBytes { ProtoWire.split($0, removing: 1...8, payloadOf: 5) })
        #expect(result.rest == kept + kept)
        #expect(result.payload == [0x0A, 0x01, 0x61])
        // A removed field given twice in the range: refused, whichever field it is.
        #expect((removedOnes + WireBytes.key(4, wireType: 0) + [0]).withUnsafeBytes { ProtoWire.split($0, removing: 1...8) } == nil)
    }

    @Test func malformedTopLevelsAndRepeatedRemovedFieldsAreRefused() {
        let field = WireBytes.lengthDelimited(5, [1, 2])
        #expect(split(field + field, removing: 5) == nil)  // given twice: a merge the caller must decode
        #expect(split(WireBytes.key(5, wireType: 2) + WireBytes.varint(10) + [1], removing: 5) == nil)  // runs past the end
        #expect(split(WireBytes.key(1, wireType: 1) + [1, 2, 3], removing: 5) == nil)  // a truncated fixed64
        #expect(split(WireBytes.key(1, wireType: 3), removing: 5) == nil)  // a group
        #expect(split(WireBytes.key(0, wireType: 0) + [0], removing: 5) == nil)  // field number 0
        #expect(split([0x80, 0x80], removing: 5) == nil)  // a key cut short
        #expect(split([], removing: 5).map { $0.rest.isEmpty && $0.removed == nil } == true)
    }
}
