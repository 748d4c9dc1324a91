#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The top level of an encoded message, walked without decoding it: for code that forwards a
/// stored message with one field replaced, where decoding and encoding the rest would cost far
/// more than copying it.
public enum ProtoWire {
    /// The varint at `index` (moved past it), or nil when it runs past `end` or past 64 bits.
    @inlinable static func varint(in bytes: UnsafeRawBufferPointer, at index: inout Int, end: Int) -> UInt64? {
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
        while index < bytes.count {
            guard let field = field(in: bytes, at: &index) else { return nil }
            if numbers.contains(field.number) {
                let bit: UInt64 = 1 << (field.number - numbers.lowerBound)
                guard seen & bit == 0 else { return nil }
                seen |= bit
                if field.number == wanted, field.wireType == 2 { payload = Array(bytes[field.payload]) }
            } else {
                rest.append(contentsOf: bytes[field.whole])
            }
        }
        return (rest, payload)
    }

    /// One top-level field of an encoded message, as ``field(in:at:)`` finds it.
    public struct Field {
        /// The field's number.
        public var number: UInt32
        /// Its wire type: 0 a varint, 1 eight bytes, 2 length-delimited, 5 four bytes.
        public var wireType: UInt8
        /// A varint's value (wire type 0); 0 for the others.
        public var value: UInt64
        /// Everything after the key: a varint's or a fixed value's bytes, a length-delimited
        /// field's length and contents. Copied after a key of another number, it is that field.
        public var body: Range<Int>
        /// A length-delimited field's contents; the same as `body` for the others.
        public var payload: Range<Int>
        /// The whole field, its key included.
        public var whole: Range<Int>

        @usableFromInline init(number: UInt32, wireType: UInt8, value: UInt64, body: Range<Int>, payload: Range<Int>, whole: Range<Int>) {
            self.number = number
            self.wireType = wireType
            self.value = value
            self.body = body
            self.payload = payload
            self.whole = whole
        }
    }

    /// The field that starts at `index` in `bytes` (`index` moved past it), or nil when the
    /// bytes there are not a well-formed field: a key of number 0 or past 32 bits, a group (not
    /// proto3), a value that runs past the end.
    @inlinable public static func field(in bytes: UnsafeRawBufferPointer, at index: inout Int) -> Field? {
        let start = index
        let end = bytes.count
        guard let key = varint(in: bytes, at: &index, end: end), key >> 3 != 0, key >> 3 <= UInt64(UInt32.max) else { return nil }
        let bodyStart = index
        var payloadStart = index
        var value: UInt64 = 0
        switch key & 7 {
        case 0:
            guard let read = varint(in: bytes, at: &index, end: end) else { return nil }
            value = read
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
        return Field(
            number: UInt32(key >> 3), wireType: UInt8(key & 7), value: value, body: bodyStart..<index, payload: payloadStart..<index,
            whole: start..<index)
    }

    /// How many bytes `value` takes as a varint.
    @inlinable public static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest != 0 {
            size += 1
            rest >>= 7
        }
        return size
    }

    /// Appends `value` as a varint.
    @inlinable public static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends the key of field `number` with `wireType`.
    @inlinable public static func appendKey(_ number: UInt32, wireType: UInt8, to bytes: inout [UInt8]) {
        appendVarint(UInt64(number) << 3 | UInt64(wireType), to: &bytes)
    }

    /// Appends field `number` as a varint: an integer, a bool, an enum (negative numbers as
    /// their 64-bit two's complement, as `int32`, `int64` and enums are encoded).
    @inlinable public static func append(_ number: UInt32, varint value: UInt64, to bytes: inout [UInt8]) {
        appendKey(number, wireType: 0, to: &bytes)
        appendVarint(value, to: &bytes)
    }

    /// Appends field `number` as length-delimited: a message's encoding, a string's UTF-8, bytes.
    @inlinable public static func append(
        _ number: UInt32, lengthDelimited payload: some Collection<UInt8>, to bytes: inout [UInt8]
    ) {
        appendKey(number, wireType: 2, to: &bytes)
        appendVarint(UInt64(payload.count), to: &bytes)
        bytes.append(contentsOf: payload)
    }

    /// Refuses a string field's UTF-8 holding U+0000 as the encoder refuses it:
    /// ``ProtoCodingError`` naming `field`, made only then (protobuf-c's strings end at a NUL).
    public static func refuseNUL(_ utf8: UnsafeBufferPointer<UInt8>, field: @autoclosure () -> String) throws {
        if let base = utf8.baseAddress, memchr(base, 0, utf8.count) != nil { throw ProtoCodingError.embeddedNUL(field: field()) }
    }

    /// Writes wire format into memory whose size was computed beforehand (with ``size(_:lengthDelimited:)``
    /// and ``varintSize(_:)``): a message written in one pass, with no growth and no copy.
    ///
    /// Every write is checked against the memory's size first: a size computed short stops the
    /// process instead of writing past the end (or dropping a field).
    public struct Writer {
        @usableFromInline let base: UnsafeMutableRawPointer?
        @usableFromInline let capacity: Int
        @usableFromInline var count = 0
        /// The bytes written so far.
        @inlinable public var written: Int { count }

        /// A writer of `buffer`, which is to hold exactly what is written.
        @inlinable public init(_ buffer: UnsafeMutableRawBufferPointer) {
            base = buffer.baseAddress
            capacity = buffer.count
        }

        /// Stops the process unless `bytes` more fit.
        @inlinable func reserve(_ bytes: Int) {
            precondition(bytes <= capacity - count && base != nil, "a message's fields exceed the size computed for it")
        }

        /// A message of `size` bytes written by `write`, which must write exactly that many.
        @inlinable public static func bytes(size: Int, _ write: (inout Writer) throws -> Void) rethrows -> [UInt8] {
            try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                var writer = Writer(UnsafeMutableRawBufferPointer(buffer))
                try write(&writer)
                precondition(writer.count == size, "a message's fields do not add up to its size")
                count = size
            }
        }

        /// The size of length-delimited field `number` holding `count` bytes; 0 when `count` is
        /// 0 (proto3 leaves an empty string or bytes field out).
        @inlinable public static func size(_ number: UInt32, lengthDelimited count: Int) -> Int {
            count == 0 ? 0 : varintSize(UInt64(number) << 3) + varintSize(UInt64(count)) + count
        }

        /// The size of varint field `number` holding `value`; 0 when it is 0.
        @inlinable public static func size(_ number: UInt32, varint value: UInt64) -> Int {
            value == 0 ? 0 : varintSize(UInt64(number) << 3) + varintSize(value)
        }

        /// The size of length-delimited field `number` of `length` bytes written whole, even when
        /// empty: a sub-message that is present, a packed list.
        @inlinable public static func size(_ number: UInt32, present length: Int) -> Int {
            varintSize(UInt64(number) << 3) + varintSize(UInt64(length)) + length
        }

        /// The key and length of length-delimited field `number`; its `length` bytes follow.
        @inlinable public mutating func putHeader(_ number: UInt32, length: Int) {
            putVarint(UInt64(number) << 3 | 2)
            putVarint(UInt64(length))
        }

        @inlinable public mutating func putVarint(_ value: UInt64) {
            reserve(varintSize(value))
            guard let base else { return }
            var rest = value
            while rest >= 0x80 {
                base.storeBytes(of: UInt8(truncatingIfNeeded: rest) | 0x80, toByteOffset: count, as: UInt8.self)
                count += 1
                rest >>= 7
            }
            base.storeBytes(of: UInt8(rest), toByteOffset: count, as: UInt8.self)
            count += 1
        }

        /// Varint field `number`, unless `value` is 0.
        @inlinable public mutating func put(_ number: UInt32, varint value: UInt64) {
            guard value != 0 else { return }
            putVarint(UInt64(number) << 3)
            putVarint(value)
        }

        /// String field `number`, unless it is empty; a string holding U+0000 is refused as
        /// the encoder refuses it (``refuseNUL(_:field:)``). Its size is
        /// `size(number, lengthDelimited: string.utf8.count)`.
        @inlinable public mutating func put(_ number: UInt32, string: String, field: @autoclosure () -> String) throws {
            guard !string.isEmpty else { return }
            try putAlways(number, string: string, field: field())
        }

        /// Bytes as they are: a part already encoded, a frame's length prefix.
        @inlinable public mutating func putRaw(_ bytes: UnsafeRawBufferPointer) {
            guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
            reserve(bytes.count)
            guard let base else { return }
            (base + count).copyMemory(from: source, byteCount: bytes.count)
            count += bytes.count
        }

        /// The size of field `number`'s key.
        @inlinable public static func keySize(_ number: UInt32) -> Int { varintSize(UInt64(number) << 3) }

        /// The key of field `number` with `wireType`; its value follows.
        @inlinable public mutating func putKey(_ number: UInt32, wireType: UInt8) {
            putVarint(UInt64(number) << 3 | UInt64(wireType))
        }

        /// Four bytes, little-endian: a `fixed32`, `sfixed32` or `float`'s bits.
        @inlinable public mutating func putFixed32(_ value: UInt32) {
            reserve(4)
            guard let base else { return }
            base.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt32.self)
            count += 4
        }

        /// Eight bytes, little-endian: a `fixed64`, `sfixed64` or `double`'s bits.
        @inlinable public mutating func putFixed64(_ value: UInt64) {
            reserve(8)
            guard let base else { return }
            base.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt64.self)
            count += 8
        }

        /// String field `number`, written even when empty (a field with presence, a list's
        /// element); one holding U+0000 is refused as ``put(_:string:field:)`` refuses it.
        @inlinable public mutating func putAlways(_ number: UInt32, string: String, field: @autoclosure () -> String) throws {
            var text = string
            try text.withUTF8 { utf8 in
                try refuseNUL(utf8, field: field())
                putHeader(number, length: utf8.count)
                putRaw(UnsafeRawBufferPointer(utf8))
            }
        }

        /// Bytes field `number`, written even when empty.
        @inlinable public mutating func putAlways(_ number: UInt32, bytes: [UInt8]) {
            putHeader(number, length: bytes.count)
            bytes.withUnsafeBytes { putRaw($0) }
        }

        /// Message field `number`, written even when empty; an error in it names its field
        /// under `field` (`inner.label`), as protobuf-c encoding names it.
        @inlinable public mutating func putAlways<M: ProtoMessage>(_ number: UInt32, message: M, field: @autoclosure () -> String) throws {
            putHeader(number, length: message.wireSize)
            do {
                try message.writeWire(to: &self)
            } catch let error as ProtoCodingError {
                throw error.nested(under: field())
            }
        }

        /// Length-delimited field `number`, unless `contents` is empty.
        @inlinable public mutating func put(_ number: UInt32, _ contents: UnsafeRawBufferPointer) {
            guard let source = contents.baseAddress, !contents.isEmpty else { return }
            putHeader(number, length: contents.count)
            putRaw(UnsafeRawBufferPointer(start: source, count: contents.count))
        }
    }
}
