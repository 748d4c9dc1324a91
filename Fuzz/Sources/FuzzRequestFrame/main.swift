import ChatPanelProto

/// The request envelope as the server decodes it (in place, with the nesting limit): any input
/// either fails with a `ProtoCodingError` or gives a frame that encodes and decodes back to
/// itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestFrame(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let frame: RPCV1.RequestFrame
    do {
        frame = try RPCV1.RequestFrame(unsafeBytes: bytes)
    } catch is ProtoCodingError {
        return 0
    } catch {
        preconditionFailure("decoding threw something other than ProtoCodingError: \(error)")
    }
    let encoded: [UInt8]
    do {
        encoded = try frame.serializedBytes()
    } catch {
        preconditionFailure("a decoded frame does not encode: \(error)")
    }
    let again = try? RPCV1.RequestFrame(serializedBytes: encoded)
    precondition(again == frame, "a frame does not survive encoding and decoding")
    return 0
}
