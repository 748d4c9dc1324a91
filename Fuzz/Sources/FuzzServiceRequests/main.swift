import ChatPanelProto

/// Every request message of every service, decoded as the server decodes a payload (with the
/// server's nesting limit of 32): the first input byte picks the method, the rest is the
/// payload. Any input either fails with a `ProtoCodingError` or gives a message that encodes
/// and decodes back to itself, and whose generated one-pass encoding is the bytes protobuf-c packs.
/// Sorted by path, so that an input means the same method from run to run.
private let requestTypes = ProtoSchema.serviceRequestTypes

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServiceRequests(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let type = requestTypes[Int(input[0]) % requestTypes.count]
    roundTrip(type, Array(input.dropFirst()))
    return 0
}

private func roundTrip<M: ProtoMessage>(_ type: M.Type, _ payload: [UInt8]) {
    let message: M
    do {
        message = try M(serializedBytes: payload, limits: ProtoDecodingLimits(maxDepth: 32))
    } catch is ProtoCodingError {
        return
    } catch {
        preconditionFailure("\(M.self): decoding threw something other than ProtoCodingError: \(error)")
    }
    let encoded: [UInt8]
    do {
        encoded = try message.serializedBytes()
    } catch {
        preconditionFailure("\(M.self): a decoded message does not encode: \(error)")
    }
    let again = try? M(serializedBytes: encoded, limits: ProtoDecodingLimits(maxDepth: 32))
    precondition(again == message, "\(M.self) does not survive encoding and decoding")
    precondition(
        (try? message.onePassBytes()) == encoded, "\(M.self): the generated encoder's bytes differ from protobuf-c's")
}
