/// The top level of an encoded message, walked without decoding it: for code that forwards a
/// stored message with one field replaced, where decoding and encoding the rest would cost far
/// more than copying it.
public enum ProtoWire {
    /// The varint at `index` (moved past it), or nil when it runs past `end` or past 64 bits.
    static func varint(in bytes: UnsafeRawBufferPointer, at index: inout Int, end: Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < end, shift < 64 {
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }

    /// `bytes` (an encoded message) split into every top-level field but those in `numbers` (at
    /// most 64 of them), in their order, and the payload of the removed field `payloadOf` when
    /// it is length-delimited (a message, a string, bytes). A message field given more than once
    /// is the merge of its occurrences, so a removed field that occurs twice gives nil here and
    /// the caller decodes the message instead. Nil too when the top level is not well-formed wire
    /// format. Nothing below the top level is looked at: the caller owns the bytes (its own
    /// stored record).
    public static func split(
        _ bytes: UnsafeRawBufferPointer, removing numbers: ClosedRange<UInt32>, payloadOf wanted: UInt32? = nil
    ) -> (rest: [UInt8], payload: [UInt8]?)? {
        precondition(numbers.count <= 64, "at most 64 fields are removed")
        var rest: [UInt8] = []
        rest.reserveCapacity(bytes.count)
        var payload: [UInt8]?
        var seen: UInt64 = 0  // bit n: field numbers.lowerBound + n was met
        var index = 0
        let end = bytes.count
        while index < end {
            let start = index
            guard let key = varint(in: bytes, at: &index, end: end), key >> 3 != 0, key >> 3 <= UInt64(UInt32.max) else { return nil }
            var payloadStart = index
            switch key & 7 {
            case 0:
                guard varint(in: bytes, at: &index, end: end) != nil else { return nil }
            case 1:
                index += 8
            case 5:
                index += 4
            case 2:
                guard let length = varint(in: bytes, at: &index, end: end), length <= UInt64(end - index) else { return nil }
                payloadStart = index
                index += Int(length)
            default:
                return nil  // groups (3, 4) are not proto3; 6 and 7 do not exist
            }
            guard index <= end else { return nil }
            let number = UInt32(key >> 3)
            if numbers.contains(number) {
                let bit: UInt64 = 1 << (number - numbers.lowerBound)
                guard seen & bit == 0 else { return nil }
                seen |= bit
                if number == wanted, key & 7 == 2 { payload = Array(bytes[payloadStart..<index]) }
            } else {
                rest.append(contentsOf: bytes[start..<index])
            }
        }
        return (rest, payload)
    }
}
