import ChatPanelProto

/// The frame splitter on an arbitrary byte stream, delivered in arbitrary pieces (the first
/// input byte picks the piece size): every frame found lies inside what was received, is no
/// larger than the maximum, and the frames re-encoded give back exactly the bytes consumed; an
/// oversized prefix is refused from its first 4 bytes; splitting does not depend on how the
/// stream was cut.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let first = input.first else { return 0 }
    let stream = Array(input.dropFirst())
    let maximum = 64 + Int(first) * 16
    let whole = split(stream, maximum: maximum, piece: stream.count)
    let pieces = split(stream, maximum: maximum, piece: 1 + Int(first % 7))
    precondition(whole == pieces, "splitting depends on how the stream was cut")
    return 0
}

private struct Outcome: Equatable {
    var frames: [[UInt8]] = []
    var refused: UInt32?
}

/// Feeds `stream` in pieces of `piece` bytes to a buffer and takes every frame out of it, as
/// the connection handler does.
private func split(_ stream: [UInt8], maximum: Int, piece: Int) -> Outcome {
    var outcome = Outcome()
    var buffered: [UInt8] = []
    var consumed: [UInt8] = []
    var offset = 0
    while offset < stream.count, outcome.refused == nil {
        let end = min(stream.count, offset + max(1, piece))
        buffered += stream[offset..<end]
        offset = end
        loop: while true {
            let next = buffered.withUnsafeBytes { WireFrame.next(in: $0, maximumSize: maximum) }
            switch next {
            case .needMore:
                break loop
            case .tooLarge(let length):
                precondition(Int(length) > maximum, "refused a frame within the maximum")
                precondition(buffered.count >= WireFrame.prefixSize)
                outcome.refused = length
                break loop
            case .frame(let bodyStart, let length):
                precondition(length <= maximum, "a frame above the maximum")
                precondition(bodyStart == WireFrame.prefixSize && bodyStart + length <= buffered.count, "a frame outside the buffer")
                let body = Array(buffered[bodyStart..<(bodyStart + length)])
                consumed += WireFrame.encode(body)
                buffered.removeFirst(bodyStart + length)
                if length > 0 { outcome.frames.append(body) }
            }
        }
    }
    precondition(Array(stream.prefix(consumed.count)) == consumed, "re-encoded frames differ from the bytes consumed")
    return outcome
}
