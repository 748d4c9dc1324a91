import ChatPanelProto

/// The RPC envelopes as the server and the client decode them (in place, with the nesting
/// limit): any input either fails with a `ProtoCodingError` or gives a frame that encodes and
/// decodes back to itself; and the envelope readers (`init(envelope:)`, which read the frames
/// the RPC layer writes without protobuf-c) and the client card's keys reader (`init(card:)`)
/// answer every input as the general decoder does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestFrame(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let general = Result { try RPCV1.RequestFrame(unsafeBytes: bytes) }
    sameAnswer(Result { try RPCV1.RequestFrame(envelope: bytes) }, general)
    sameAnswer(Result { try RPCV1.ResponseFrame(envelope: bytes) }, Result { try RPCV1.ResponseFrame(unsafeBytes: bytes) })
    sameAnswer(Result { try ClientsV1.ClientCardKeys(card: Array(bytes)) }, Result { try ClientsV1.ClientCardKeys(unsafeBytes: bytes) })
    let frame: RPCV1.RequestFrame
    switch general {
    case .success(let decoded): frame = decoded
    case .failure(let error):
        precondition(error is ProtoCodingError, "decoding threw something other than ProtoCodingError: \(error)")
        return 0
    }
    let encoded: [UInt8]
    do {
        encoded = try frame.serializedBytes()
    } catch {
        preconditionFailure("a decoded frame does not encode: \(error)")
    }
    precondition((try? frame.encodedEnvelope()) == encoded, "the envelope writer's bytes are not protobuf-c's")
    let again = try? RPCV1.RequestFrame(serializedBytes: encoded)
    precondition(again == frame, "a frame does not survive encoding and decoding")
    return 0
}

/// Both the same frame, or both the same error.
func sameAnswer<Frame: Equatable>(_ envelope: Result<Frame, any Error>, _ general: Result<Frame, any Error>) {
    switch (envelope, general) {
    case (.success(let a), .success(let b)): precondition(a == b, "the one-pass reader read \(a), the general decoder \(b)")
    case (.failure(let a), .failure(let b)): precondition("\(a)" == "\(b)", "the one-pass reader threw \(a), the general decoder \(b)")
    default: preconditionFailure("the one-pass reader answered \(envelope), the general decoder \(general)")
    }
}
