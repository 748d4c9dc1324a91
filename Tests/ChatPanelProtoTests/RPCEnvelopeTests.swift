@testable import ChatPanelProto
import ChatPanelTesting
import Testing

/// The RPC envelopes read and written without protobuf-c: the bytes written are protobuf-c's,
/// and every input reads as the general decoder reads it (the same frame or the same error).
@Suite struct RPCEnvelopeTests {
    private static let texts = ["", "/chatpanel.clients.v1.Clients/GetClientCard", "ключ-повтора-7", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "日本語 ✓ 🎉", "a"]

    private static func requestFrame(_ random: inout SeededGenerator) -> RPCV1.RequestFrame {
        var frame = RPCV1.RequestFrame()
        frame.callID = [0, 1, 300, UInt64.max, random.next() as UInt64][random.next(below: 5)]
        frame.kind = RPCV1.RequestKind(rawValue: [0, 1, 7, -3][random.next(below: 4)])
        frame.method = texts[random.next(below: texts.count)]
        frame.timeoutMs = [0, 1, 1000, UInt32.max][random.next(below: 4)]
        if random.next(below: 3) != 0 {
            var caller = RPCV1.Caller()
            caller.managerID = [0, 1, -1, Int64.max, Int64.min][random.next(below: 5)]
            caller.rights = (0..<random.next(below: 5)).map { _ in RPCV1.Right(rawValue: [0, 1, 5, 6, 99, -2][random.next(below: 6)]) }
            frame.caller = caller
        }
        frame.requestID = texts[random.next(below: texts.count)]
        frame.payload = (0..<random.next(below: 300)).map { _ in UInt8(truncatingIfNeeded: random.next() as UInt64) }
        frame.traceparent = texts[random.next(below: texts.count)]
        return frame
    }

    private static func responseFrame(_ random: inout SeededGenerator) -> RPCV1.ResponseFrame {
        var frame = RPCV1.ResponseFrame()
        frame.callID = [0, 1, 300, UInt64.max, random.next() as UInt64][random.next(below: 5)]
        frame.endOfStream = random.next(below: 2) == 0
        if random.next(below: 4) != 0 {
            var status = RPCV1.Status()
            status.code = RPCV1.StatusCode(rawValue: [0, 3, 5, 14, 77, -1][random.next(below: 6)])
            status.message = texts[random.next(below: texts.count)]
            status.violations = (0..<random.next(below: 3)).map { index in
                var violation = RPCV1.FieldViolation()
                violation.field = index == 0 ? "client.phones[1]" : ""
                violation.description = texts[random.next(below: texts.count)]
                return violation
            }
            status.details = (0..<random.next(below: 20)).map { _ in UInt8(truncatingIfNeeded: random.next() as UInt64) }
            frame.status = status
        }
        frame.payload = (0..<random.next(below: 300)).map { _ in UInt8(truncatingIfNeeded: random.next() as UInt64) }
        return frame
    }

    @Test(arguments: 0..<40)
    func requestFramesAreEncodedAsProtobufCEncodesThem(seed: Int) throws {
        var random = SeededGenerator(seed: UInt64(seed))
        let frame = Self.requestFrame(&random)
        let ours = try frame.encodedEnvelope()
        #expect(ours == (try frame.serializedBytes()))
        // Read by the envelope reader itself, not handed to the general decoder.
        let read = try #require(ours.withUnsafeBytes { RPCV1.RequestFrame.read($0) })
        #expect(read == frame)
    }

    @Test(arguments: 0..<40)
    func responseFramesReadAsTheGeneralDecoderReadsThem(seed: Int) throws {
        var random = SeededGenerator(seed: UInt64(seed))
        let frame = Self.responseFrame(&random)
        let bytes = try frame.serializedBytes()
        let read = try #require(bytes.withUnsafeBytes { RPCV1.ResponseFrame.read($0) })
        #expect(read == frame)
    }

    @Test(arguments: 0..<6)
    func everyChangedRequestFrameReadsAsTheGeneralDecoderReadsIt(seed: Int) throws {
        var random = SeededGenerator(seed: UInt64(1_000 + seed))
        var frame = Self.requestFrame(&random)
        frame.payload = Array(frame.payload.prefix(12))  // keeps the mutations few
        DecoderAgreement.agreeOnEveryChange(of: try frame.encodedEnvelope(), RPCV1.RequestFrame.init(envelope:))
    }

    @Test(arguments: 0..<6)
    func everyChangedResponseFrameReadsAsTheGeneralDecoderReadsIt(seed: Int) throws {
        var random = SeededGenerator(seed: UInt64(2_000 + seed))
        var frame = Self.responseFrame(&random)
        frame.payload = Array(frame.payload.prefix(12))
        DecoderAgreement.agreeOnEveryChange(of: try frame.serializedBytes(), RPCV1.ResponseFrame.init(envelope:))
    }

    @Test func randomBytesReadAsTheGeneralDecoderReadsThem() {
        var random = SeededGenerator(seed: 77)
        for _ in 0..<3_000 {
            let bytes = (0..<random.next(below: 24)).map { _ in UInt8(truncatingIfNeeded: random.next() as UInt64) }
            DecoderAgreement.agree(bytes, RPCV1.RequestFrame.init(envelope:))
            DecoderAgreement.agree(bytes, RPCV1.ResponseFrame.init(envelope:))
        }
    }

    /// Encodings the RPC layer does not write go to the general decoder, which decides.
    @Test func unusualEncodingsAreLeftToTheGeneralDecoder() {
        let callID = WireBytes.key(1, wireType: 0) + WireBytes.varint(5)
        let caller = WireBytes.lengthDelimited(5, WireBytes.key(1, wireType: 0) + WireBytes.varint(9))
        let unusual: [(String, [UInt8])] = [
            ("an unknown field", callID + WireBytes.lengthDelimited(40, [1, 2])),
            ("the caller twice (merged)", callID + caller + WireBytes.lengthDelimited(5, WireBytes.lengthDelimited(2, [3]))),
            ("a key longer than it needs", WireBytes.hex("88 00 05")),
            ("a six-byte length prefix", WireBytes.hex("3a 82 80 80 80 80 00 61 62")),
            ("a string with a NUL", WireBytes.lengthDelimited(3, [0x61, 0x00])),
            ("a string that is not UTF-8", WireBytes.lengthDelimited(3, [0xC3, 0x28])),
            ("the call id as bytes", WireBytes.lengthDelimited(1, [1])),
            ("a group", WireBytes.hex("0b 0c")),
            ("a varint longer than it needs", WireBytes.hex("08 85 00")),
            // protobuf-c reads this end_of_stream as true: a bit is set past the 64th.
            ("a varint past 64 bits", WireBytes.hex("10 80 80 80 80 80 80 80 80 80 02")),
        ]
        for (what, bytes) in unusual {
            #expect(bytes.withUnsafeBytes { RPCV1.RequestFrame.read($0) } == nil, "\(what)")
            #expect(bytes.withUnsafeBytes { RPCV1.ResponseFrame.read($0) } == nil, "\(what)")
            DecoderAgreement.agree(bytes, RPCV1.RequestFrame.init(envelope:))
            DecoderAgreement.agree(bytes, RPCV1.ResponseFrame.init(envelope:))
        }
        // Rights given unpacked, one field each, read as packed ones do.
        let unpacked = WireBytes.lengthDelimited(5, WireBytes.key(2, wireType: 0) + [4] + WireBytes.key(2, wireType: 0) + [1])
        let read = unpacked.withUnsafeBytes { RPCV1.RequestFrame.read($0) }
        #expect(read?.caller?.rights == [.tasks, .createTags])
        DecoderAgreement.agree(unpacked, RPCV1.RequestFrame.init(envelope:))
        // end_of_stream as a varint other than 1 is true, as protobuf-c reads it.
        let endOfStream = WireBytes.key(2, wireType: 0) + WireBytes.varint(300)
        #expect(endOfStream.withUnsafeBytes { RPCV1.ResponseFrame.read($0) }?.endOfStream == true)
        DecoderAgreement.agree(endOfStream, RPCV1.ResponseFrame.init(envelope:))
    }

    @Test func aNULInAStringIsRefusedWhenEncodingAsProtobufCRefusesIt() throws {
        for keyPath: WritableKeyPath<RPCV1.RequestFrame, String> in [\.method, \.requestID, \.traceparent] {
            var frame = RPCV1.RequestFrame()
            frame[keyPath: keyPath] = "a\u{0}b"
            let general = Result { try frame.serializedBytes() }
            let ours = Result { try frame.encodedEnvelope() }
            guard case .failure(let expected) = general, case .failure(let error) = ours else {
                Issue.record("a NUL was encoded: \(ours), \(general)")
                continue
            }
            #expect("\(error)" == "\(expected)")
        }
    }
}
