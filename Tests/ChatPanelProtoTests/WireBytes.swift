/// Hand-built protobuf wire bytes, written without the encoder under test.
enum WireBytes {
    /// Parses hex such as `"0a 01 61"` (spaces ignored) into bytes.
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        precondition(digits.count.isMultiple(of: 2), "odd number of hex digits in \(text)")
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    /// The base-128 varint encoding of `value`.
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
        return out
    }

    /// A field key: `number << 3 | wireType`, as a varint.
    static func key(_ number: UInt64, wireType: UInt64) -> [UInt8] { varint(number << 3 | wireType) }

    /// A length-delimited field (wire type 2).
    static func lengthDelimited(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] {
        key(number, wireType: 2) + varint(UInt64(payload.count)) + payload
    }

    /// A `chatpanel.testing.v1.Node` with `depth` levels of `child` below the top-level node;
    /// the innermost node's `name` is `leafName`.
    ///
    /// Built iteratively in O(depth): the lengths are computed from the inside out, then the
    /// `child` headers are written from the outside in.
    static func nestedNodes(depth: Int, leafName: String = "leaf") -> [UInt8] {
        let leaf = lengthDelimited(1, Array(leafName.utf8))
        // contentLengths[i] = byte length of the node at level i (0 = top-level).
        var contentLengths = [Int](repeating: 0, count: depth + 1)
        contentLengths[depth] = leaf.count
        var level = depth - 1
        while level >= 0 {
            let child = contentLengths[level + 1]
            contentLengths[level] = 1 + varint(UInt64(child)).count + child
            level -= 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(contentLengths[0])
        for level in 0..<depth {
            out.append(0x12)  // field 2 (child), wire type 2
            out += varint(UInt64(contentLengths[level + 1]))
        }
        out += leaf
        precondition(out.count == contentLengths[0])
        return out
    }

    /// The dotted field path of the `child` at `depth` levels below the top-level node.
    static func childPath(depth: Int) -> String {
        Array(repeating: "child", count: depth).joined(separator: ".")
    }
}
