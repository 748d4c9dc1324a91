import CChatPanelProto

extension ProtoMessage {
    /// The message as JSON for scripts (`chatpanelctl --json`): field names as in the `.proto`
    /// file, every field present with its value (defaults included), enums by name, bytes as
    /// base64, oneof members and optional fields only when set.
    public func jsonText(pretty: Bool = true) throws -> String {
        try ProtoJSONText.text(try serializedBytes(), Self.protoDescriptor.pointer, pretty: pretty, int64AsStrings: false)
    }
}

/// Encoded messages as JSON, through protobuf-c's descriptors.
enum ProtoJSONText {
    static func text(
        _ bytes: [UInt8], _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, pretty: Bool, int64AsStrings: Bool
    ) throws -> String {
        try bytes.withUnsafeBytes { buffer -> String in
            let base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            guard let message = protobuf_c_message_unpack(descriptor, nil, buffer.count, base.assumingMemoryBound(to: UInt8.self)) else {
                throw ProtoCodingError.malformed()
            }
            defer { protobuf_c_message_free_unpacked(message, nil) }
            var out = ""
            JSONWriter(pretty: pretty, int64AsStrings: int64AsStrings).object(UnsafeRawPointer(message), descriptor, indent: 0, into: &out)
            return out
        }
    }
}

/// Walks an unpacked protobuf-c message with its descriptor and writes JSON.
private struct JSONWriter {
    let pretty: Bool
    /// 64-bit integers as strings, as the protobuf JSON mapping writes them.
    let int64AsStrings: Bool

    func object(_ base: UnsafeRawPointer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, indent: Int, into out: inout String) {
        let fields = UnsafeBufferPointer(start: descriptor.pointee.fields, count: Int(descriptor.pointee.n_fields))
        var members: [(String, String)] = []
        for field in fields {
            let name = String(cString: field.name)
            let isOneof = field.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0
            if isOneof {
                let setCase = base.load(fromByteOffset: Int(field.quantifier_offset), as: UInt32.self)
                guard setCase == field.id else { continue }
            }
            var text = ""
            let at = base + Int(field.offset)
            if field.label == PROTOBUF_C_LABEL_REPEATED {
                let count = base.load(fromByteOffset: Int(field.quantifier_offset), as: Int.self)
                let array = at.load(as: UnsafeRawPointer?.self)
                let size = Self.elementSize(field)
                var items: [String] = []
                for i in 0..<count {
                    guard let array else { break }
                    var item = ""
                    value(array + i * size, field, indent: indent + 1, into: &item)
                    items.append(item)
                }
                text = items.isEmpty ? "[]" : "[" + items.joined(separator: pretty ? ", " : ",") + "]"
            } else {
                value(at, field, indent: indent + 1, into: &text)
            }
            members.append((name, text))
        }
        if members.isEmpty {
            out += "{}"
            return
        }
        let pad = pretty ? "\n" + String(repeating: "  ", count: indent + 1) : ""
        out += "{"
        for (i, (name, text)) in members.enumerated() {
            out += pad + "\"\(name)\":" + (pretty ? " " : "") + text
            if i < members.count - 1 { out += "," }
        }
        out += (pretty ? "\n" + String(repeating: "  ", count: indent) : "") + "}"
    }

    private static func elementSize(_ field: ProtobufCFieldDescriptor) -> Int {
        switch field.type {
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64, PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64,
            PROTOBUF_C_TYPE_DOUBLE:
            8
        case PROTOBUF_C_TYPE_STRING, PROTOBUF_C_TYPE_MESSAGE: MemoryLayout<UnsafeRawPointer>.size
        case PROTOBUF_C_TYPE_BYTES: MemoryLayout<ProtobufCBinaryData>.stride
        default: 4
        }
    }

    private func value(_ at: UnsafeRawPointer, _ field: ProtobufCFieldDescriptor, indent: Int, into out: inout String) {
        switch field.type {
        case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SFIXED32: out += String(at.load(as: Int32.self))
        case PROTOBUF_C_TYPE_UINT32, PROTOBUF_C_TYPE_FIXED32: out += String(at.load(as: UInt32.self))
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64:
            let text = String(at.load(as: Int64.self))
            out += int64AsStrings ? "\"\(text)\"" : text
        case PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64:
            let text = String(at.load(as: UInt64.self))
            out += int64AsStrings ? "\"\(text)\"" : text
        case PROTOBUF_C_TYPE_FLOAT: out += Self.number(Double(at.load(as: Float.self)))
        case PROTOBUF_C_TYPE_DOUBLE: out += Self.number(at.load(as: Double.self))
        case PROTOBUF_C_TYPE_BOOL: out += at.load(as: Int32.self) != 0 ? "true" : "false"
        case PROTOBUF_C_TYPE_ENUM:
            let raw = at.load(as: Int32.self)
            let enumDescriptor = field.descriptor.assumingMemoryBound(to: ProtobufCEnumDescriptor.self)
            if let v = protobuf_c_enum_descriptor_get_value(enumDescriptor, raw) {
                out += Self.quoted(String(cString: v.pointee.name))
            } else {
                out += String(raw)
            }
        case PROTOBUF_C_TYPE_STRING:
            let chars = at.load(as: UnsafePointer<CChar>?.self)
            out += Self.quoted(chars.map { String(cString: $0) } ?? "")
        case PROTOBUF_C_TYPE_BYTES:
            let data = at.load(as: ProtobufCBinaryData.self)
            let bytes = data.len > 0 && data.data != nil ? Array(UnsafeBufferPointer(start: data.data, count: data.len)) : []
            out += Self.quoted(Self.base64(bytes))
        case PROTOBUF_C_TYPE_MESSAGE:
            if let sub = at.load(as: UnsafeRawPointer?.self) {
                object(sub, field.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self), indent: indent, into: &out)
            } else {
                out += "null"
            }
        default:
            out += "null"
        }
    }

    private static func number(_ value: Double) -> String {
        guard value.isFinite else { return quoted(value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity")) }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            let b1 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 3) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 0xF) << 2 | b2 >> 6)] : "=")
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : "=")
            i += 3
        }
        return out
    }
}
