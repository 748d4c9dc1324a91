/// The parts of `google/protobuf/descriptor.proto` the generator reads, decoded from the bytes
/// that `protoc --descriptor_set_out --include_source_info` writes.
struct FileDescriptor {
    var name = ""
    var package = ""
    var messages: [MessageDescriptor] = []
    var enums: [EnumDescriptor] = []
    var services: [ServiceDescriptor] = []
    /// Leading comments by source path (descriptor.proto's `SourceCodeInfo.Location.path`).
    var comments: [[Int32]: String] = [:]
}

/// A message type.
struct MessageDescriptor {
    var name = ""
    var fields: [FieldDescriptor] = []
    var nested: [MessageDescriptor] = []
    var enums: [EnumDescriptor] = []
    var oneofNames: [String] = []
    var isMapEntry = false
}

/// One field of a message.
struct FieldDescriptor {
    var name = ""
    var number: Int32 = 0
    var label: Int32 = 1
    var type: Int32 = 0
    var typeName = ""
    var oneofIndex: Int32? = nil
    var isProto3Optional = false

    var isRepeated: Bool { label == 3 }
}

/// An enum type.
struct EnumDescriptor {
    var name = ""
    var values: [(name: String, number: Int32)] = []
}

/// A service with its methods.
struct ServiceDescriptor {
    var name = ""
    var methods: [MethodDescriptor] = []
}

/// One RPC method.
struct MethodDescriptor {
    var name = ""
    var inputType = ""
    var outputType = ""
    var clientStreaming = false
    var serverStreaming = false
}

/// Errors met while reading the descriptor set.
struct DescriptorError: Error, CustomStringConvertible {
    var description: String
}

/// A minimal protobuf wire reader, enough for descriptor.proto.
struct WireReader {
    private let bytes: [UInt8]
    private var index: Int
    private let end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.index = 0
        self.end = bytes.count
    }

    private init(bytes: [UInt8], start: Int, end: Int) {
        self.bytes = bytes
        self.index = start
        self.end = end
    }

    var isAtEnd: Bool { index >= end }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < end, shift < 64 else { throw DescriptorError(description: "bad varint") }
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// The next field's number and wire type.
    mutating func tag() throws -> (number: Int, wireType: Int) {
        let key = try varint()
        return (Int(key >> 3), Int(key & 7))
    }

    /// A length-delimited field as a reader of its own.
    mutating func nested() throws -> WireReader {
        let length = Int(try varint())
        guard length >= 0, index + length <= end else { throw DescriptorError(description: "truncated") }
        let reader = WireReader(bytes: bytes, start: index, end: index + length)
        index += length
        return reader
    }

    mutating func string() throws -> String {
        var sub = try nested()
        var collected: [UInt8] = []
        while !sub.isAtEnd {
            collected.append(sub.bytes[sub.index])
            sub.index += 1
        }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Packed or unpacked repeated int32 values.
    mutating func int32s(wireType: Int) throws -> [Int32] {
        if wireType == 2 {
            var sub = try nested()
            var values: [Int32] = []
            while !sub.isAtEnd { values.append(Int32(truncatingIfNeeded: try sub.varint())) }
            return values
        }
        return [Int32(truncatingIfNeeded: try varint())]
    }

    mutating func skip(wireType: Int) throws {
        switch wireType {
        case 0: _ = try varint()
        case 1: index += 8
        case 2: _ = try nested()
        case 5: index += 4
        default: throw DescriptorError(description: "unsupported wire type \(wireType)")
        }
        guard index <= end else { throw DescriptorError(description: "truncated") }
    }
}

extension FileDescriptor {
    /// Reads every file of a `FileDescriptorSet`.
    static func readSet(_ bytes: [UInt8]) throws -> [FileDescriptor] {
        var reader = WireReader(bytes)
        var files: [FileDescriptor] = []
        while !reader.isAtEnd {
            let (number, wireType) = try reader.tag()
            if number == 1, wireType == 2 {
                var sub = try reader.nested()
                files.append(try FileDescriptor(reading: &sub))
            } else {
                try reader.skip(wireType: wireType)
            }
        }
        return files
    }

    init(reading r: inout WireReader) throws {
        while !r.isAtEnd {
            let (number, wireType) = try r.tag()
            switch (number, wireType) {
            case (1, 2): name = try r.string()
            case (2, 2): package = try r.string()
            case (4, 2):
                var sub = try r.nested()
                messages.append(try MessageDescriptor(reading: &sub))
            case (5, 2):
                var sub = try r.nested()
                enums.append(try EnumDescriptor(reading: &sub))
            case (6, 2):
                var sub = try r.nested()
                services.append(try ServiceDescriptor(reading: &sub))
            case (9, 2):
                var sub = try r.nested()
                try readSourceInfo(&sub)
            default: try r.skip(wireType: wireType)
            }
        }
    }

    private mutating func readSourceInfo(_ r: inout WireReader) throws {
        while !r.isAtEnd {
            let (number, wireType) = try r.tag()
            guard number == 1, wireType == 2 else {
                try r.skip(wireType: wireType)
                continue
            }
            var location = try r.nested()
            var path: [Int32] = []
            var leading = ""
            while !location.isAtEnd {
                let (n, w) = try location.tag()
                switch (n, w) {
                case (1, _): path += try location.int32s(wireType: w)
                case (3, 2): leading = try location.string()
                default: try location.skip(wireType: w)
                }
            }
            if !leading.isEmpty { comments[path] = leading }
        }
    }
}

extension MessageDescriptor {
    init(reading r: inout WireReader) throws {
        while !r.isAtEnd {
            let (number, wireType) = try r.tag()
            switch (number, wireType) {
            case (1, 2): name = try r.string()
            case (2, 2):
                var sub = try r.nested()
                fields.append(try FieldDescriptor(reading: &sub))
            case (3, 2):
                var sub = try r.nested()
                nested.append(try MessageDescriptor(reading: &sub))
            case (4, 2):
                var sub = try r.nested()
                enums.append(try EnumDescriptor(reading: &sub))
            case (7, 2):
                var options = try r.nested()
                while !options.isAtEnd {
                    let (n, w) = try options.tag()
                    if n == 7, w == 0 { isMapEntry = try options.varint() != 0 } else { try options.skip(wireType: w) }
                }
            case (8, 2):
                var sub = try r.nested()
                var oneofName = ""
                while !sub.isAtEnd {
                    let (n, w) = try sub.tag()
                    if n == 1, w == 2 { oneofName = try sub.string() } else { try sub.skip(wireType: w) }
                }
                oneofNames.append(oneofName)
            default: try r.skip(wireType: wireType)
            }
        }
    }
}

extension FieldDescriptor {
    init(reading r: inout WireReader) throws {
        while !r.isAtEnd {
            let (number, wireType) = try r.tag()
            switch (number, wireType) {
            case (1, 2): name = try r.string()
            case (3, 0): self.number = Int32(truncatingIfNeeded: try r.varint())
            case (4, 0): label = Int32(truncatingIfNeeded: try r.varint())
            case (5, 0): type = Int32(truncatingIfNeeded: try r.varint())
            case (6, 2): typeName = try r.string()
            case (9, 0): oneofIndex = Int32(truncatingIfNeeded: try r.varint())
            case (17, 0): isProto3Optional = try r.varint() != 0
            default: try r.skip(wireType: wireType)
            }
        }
    }
}

extension EnumDescriptor {
    init(reading r: inout WireReader) throws {
        while !r.isAtEnd {
            let (number, wireType) = try r.tag()
            switch (number, wireType) {
            case (1, 2): name = try r.string()
            case (2, 2):
                var sub = try r.nested()
                var valueName = ""
                var valueNumber: Int32 = 0
                while !sub.isAtEnd {
                    let (n, w) = try sub.tag()
                    switch (n, w) {
                    case (1, 2): valueName = try sub.string()
                    case (2, 0): valueNumber = Int32(truncatingIfNeeded: try sub.varint())
                    default: try sub.skip(wireType: w)
                    }
                }
                values.append((valueName, valueNumber))
            default: try r.skip(wireType: wireType)
            }
        }
    }
}

extension ServiceDescriptor {
    init(reading r: inout WireReader) throws {
        while !r.isAtEnd {
            let (number, wireType) = try r.tag()
            switch (number, wireType) {
            case (1, 2): name = try r.string()
            case (2, 2):
                var sub = try r.nested()
                var method = MethodDescriptor()
                while !sub.isAtEnd {
                    let (n, w) = try sub.tag()
                    switch (n, w) {
                    case (1, 2): method.name = try sub.string()
                    case (2, 2): method.inputType = try sub.string()
                    case (3, 2): method.outputType = try sub.string()
                    case (5, 0): method.clientStreaming = try sub.varint() != 0
                    case (6, 0): method.serverStreaming = try sub.varint() != 0
                    default: try sub.skip(wireType: w)
                    }
                }
                methods.append(method)
            default: try r.skip(wireType: wireType)
            }
        }
    }
}
