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
        let removedOnes =
            WireBytes.key(1, wireType: 0) + WireBytes.varint(7) + WireBytes.key(4, wireType: 0) + [1]
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

    @Test func fieldsAreReadOneByOneWithTheirBodiesAndPayloads() throws {
        let bytes =
            WireBytes.key(1, wireType: 0) + WireBytes.varint(300) + WireBytes.lengthDelimited(2_000, Array("Кофе".utf8))
            + WireBytes.key(3, wireType: 5) + [9, 9, 9, 9] + WireBytes.key(4, wireType: 1) + [1, 2, 3, 4, 5, 6, 7, 8]
        let fields = bytes.withUnsafeBytes { buffer in
            var index = 0
            var fields: [ProtoWire.Field] = []
            while index < buffer.count, let field = ProtoWire.field(in: buffer, at: &index) { fields.append(field) }
            return fields
        }
        #expect(fields.map(\.number) == [1, 2_000, 3, 4] && fields.map(\.wireType) == [0, 2, 5, 1])
        #expect(fields[0].value == 300 && Array(bytes[fields[0].body]) == WireBytes.varint(300))
        #expect(Array(bytes[fields[1].payload]) == Array("Кофе".utf8))
        #expect(Array(bytes[fields[1].body]) == WireBytes.varint(8) + Array("Кофе".utf8))
        #expect(Array(bytes[fields[2].payload]) == [9, 9, 9, 9] && Array(bytes[fields[3].body]) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(fields.map(\.whole.count).reduce(0, +) == bytes.count && fields.last?.whole.upperBound == bytes.count)
        // A field cut short is not read, and the index stays where it was for the caller to stop.
        let short = WireBytes.key(2, wireType: 2) + WireBytes.varint(5) + [1]
        #expect(
            short.withUnsafeBytes { buffer in
                var index = 0
                return ProtoWire.field(in: buffer, at: &index) == nil
            })
    }

    @Test func writtenFieldsAreWhatAHandWriterAndTheDecoderRead() throws {
        for value: UInt64 in [0, 1, 127, 128, 300, 16_383, 16_384, UInt64(UInt32.max), UInt64.max] {
            var written: [UInt8] = []
            ProtoWire.appendVarint(value, to: &written)
            #expect(written == WireBytes.varint(value) && ProtoWire.varintSize(value) == written.count)
        }
        var written: [UInt8] = []
        ProtoWire.append(1, varint: UInt64(bitPattern: -5), to: &written)
        ProtoWire.append(2_000, lengthDelimited: Array("Кофе".utf8), to: &written)
        ProtoWire.appendKey(3, wireType: 5, to: &written)
        #expect(
            written == WireBytes.key(1, wireType: 0) + WireBytes.varint(UInt64(bitPattern: -5))
                + WireBytes.lengthDelimited(2_000, Array("Кофе".utf8)) + WireBytes.key(3, wireType: 5))
        // Fields appended to an encoded message read as the message with those fields set.
        var allKinds = TestingV1.AllKinds.fullySet
        allKinds.text = ""
        var bytes = try allKinds.serializedBytes()
        ProtoWire.append(14, lengthDelimited: "Ёлка".utf8, to: &bytes)
        allKinds.text = "Ёлка"
        #expect(try TestingV1.AllKinds(serializedBytes: bytes) == allKinds)
    }

    @Test func theOnePassWriterWritesWhatItsSizesSay() throws {
        let text = "Кофе"
        let size =
            ProtoWire.Writer.size(1, varint: 300) + ProtoWire.Writer.size(2, varint: 0)
            + ProtoWire.Writer.size(2_000, lengthDelimited: text.utf8.count) + ProtoWire.Writer.size(4, lengthDelimited: 0)
        let bytes = try ProtoWire.Writer.bytes(size: size) { out in
            out.put(1, varint: 300)
            out.put(2, varint: 0)  // a default: left out
            try out.put(2_000, string: text, field: "text")
            out.put(4, UnsafeRawBufferPointer(start: nil, count: 0))  // empty: left out
        }
        #expect(bytes == WireBytes.key(1, wireType: 0) + WireBytes.varint(300) + WireBytes.lengthDelimited(2_000, Array(text.utf8)))
        #expect(throws: ProtoCodingError.embeddedNUL(field: "outer.text")) {
            try ProtoWire.Writer.bytes(size: 4) { out in try out.put(1, string: "a\u{0}", field: "outer.text") }
        }
        #expect(ProtoWire.Writer.bytes(size: 0) { _ in }.isEmpty)
    }

    @Test func aSizeComputedShortStopsTheWriterBeforeItWritesPastTheEnd() async {
        // A varint of three bytes into two: it traps before the third. (One exit test: each
        // runs the whole test binary again in a process of its own.)
        await #expect(processExitsWith: .failure) {
            _ = ProtoWire.Writer.bytes(size: 2) { out in out.put(1, varint: 300) }
        }
    }
}
