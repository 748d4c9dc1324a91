import CChatPanelProto

/// A method of a compiled service.
public struct ProtoMethodSchema: @unchecked Sendable {
    /// The service's full name, like `chatpanel.health.v1.Health`.
    public let service: String
    /// The method's name, like `Check`.
    public let name: String
    /// The request message.
    public let request: ProtoMessageSchema
    /// The answer message (each message of a stream, for a streaming method).
    public let response: ProtoMessageSchema

    init(service: String, method: ProtobufCMethodDescriptor) {
        self.service = service
        self.name = String(cString: method.name)
        self.request = ProtoMessageSchema(method.input)
        self.response = ProtoMessageSchema(method.output)
    }

    /// The path a request frame names, like `/chatpanel.health.v1.Health/Check`.
    public var path: String { "/\(service)/\(name)" }
}

/// A compiled message type.
public struct ProtoMessageSchema: @unchecked Sendable {
    let descriptor: UnsafePointer<ProtobufCMessageDescriptor>

    init(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
        self.descriptor = descriptor
    }

    /// The schema of a generated message type.
    public init<M: ProtoMessage>(_ type: M.Type) {
        self.descriptor = M.protoDescriptor.pointer
    }

    /// The full name, like `chatpanel.rpc.v1.Caller`.
    public var fullName: String { String(cString: descriptor.pointee.name) }

    /// The fields in number order.
    public var fields: [ProtoFieldSchema] {
        UnsafeBufferPointer(start: descriptor.pointee.fields, count: Int(descriptor.pointee.n_fields))
            .map(ProtoFieldSchema.init).sorted { $0.number < $1.number }
    }

    /// The message as `.proto` text, with the messages and enums it uses after it (each once).
    public var protoText: String {
        var out = ""
        var seen = Set<String>()
        var queue = [self]
        var enums: [ProtoFieldSchema] = []
        while !queue.isEmpty {
            let message = queue.removeFirst()
            guard seen.insert(message.fullName).inserted else { continue }
            if !out.isEmpty { out += "\n" }
            out += "message \(message.fullName) {\n"
            for field in message.fields {
                out += "  \(field.isRepeated ? "repeated " : "")\(field.typeName) \(field.name) = \(field.number);"
                out += field.isOneofMember ? "  // oneof member\n" : "\n"
                if let nested = field.message { queue.append(nested) }
                if field.enumValues != nil { enums.append(field) }
            }
            out += "}\n"
        }
        for field in enums where seen.insert(field.typeName).inserted {
            out += "\nenum \(field.typeName) {\n"
            for (name, number) in field.enumValues ?? [] { out += "  \(name) = \(number);\n" }
            out += "}\n"
        }
        return out
    }

    /// Encoded message bytes as JSON (see ``ProtoMessage/jsonText(pretty:)``); 64-bit integers as
    /// strings, as the protobuf JSON mapping writes them.
    public func jsonText(_ bytes: [UInt8], pretty: Bool = true) throws -> String {
        try ProtoJSONText.text(bytes, descriptor, pretty: pretty, int64AsStrings: true)
    }

    /// Encodes a JSON object as this message (protobuf JSON mapping): fields by their `.proto`
    /// or lowerCamelCase name, 64-bit integers as numbers or strings, enums by name or number,
    /// bytes as base64, `null` for a default. Throws naming the field that does not fit.
    public func encode(json: ProtoJSONValue) throws(ProtoJSONError) -> [UInt8] {
        var out: [UInt8] = []
        try ProtoJSONEncoder.message(json, self, path: "", into: &out)
        return out
    }
}

/// A field of a compiled message.
public struct ProtoFieldSchema: @unchecked Sendable {
    let field: ProtobufCFieldDescriptor

    init(_ field: ProtobufCFieldDescriptor) {
        self.field = field
    }

    /// The name in the `.proto` file.
    public var name: String { String(cString: field.name) }
    /// The name in JSON: lowerCamelCase.
    public var jsonName: String {
        var out = ""
        var upper = false
        for character in name {
            if character == "_" {
                upper = true
            } else {
                out.append(upper ? Character(character.uppercased()) : character)
                upper = false
            }
        }
        return out
    }

    /// The field number.
    public var number: UInt32 { field.id }
    /// Whether it is `repeated`.
    public var isRepeated: Bool { field.label == PROTOBUF_C_LABEL_REPEATED }
    /// Whether it belongs to a oneof.
    public var isOneofMember: Bool { field.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 }

    /// The message type of a message field.
    public var message: ProtoMessageSchema? {
        guard field.type == PROTOBUF_C_TYPE_MESSAGE, let descriptor = field.descriptor else { return nil }
        return ProtoMessageSchema(descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self))
    }

    var enumDescriptor: UnsafePointer<ProtobufCEnumDescriptor>? {
        guard field.type == PROTOBUF_C_TYPE_ENUM, let descriptor = field.descriptor else { return nil }
        return descriptor.assumingMemoryBound(to: ProtobufCEnumDescriptor.self)
    }

    /// The values of an enum field, by name.
    public var enumValues: [(String, Int32)]? {
        guard let enumDescriptor else { return nil }
        return UnsafeBufferPointer(start: enumDescriptor.pointee.values, count: Int(enumDescriptor.pointee.n_values))
            .map { (String(cString: $0.name), $0.value) }
    }

    /// The type as the `.proto` file names it: `int64`, `string`, a message's or enum's full name.
    public var typeName: String {
        if let message { return message.fullName }
        if let enumDescriptor { return String(cString: enumDescriptor.pointee.name) }
        switch field.type {
        case PROTOBUF_C_TYPE_INT32: return "int32"
        case PROTOBUF_C_TYPE_SINT32: return "sint32"
        case PROTOBUF_C_TYPE_SFIXED32: return "sfixed32"
        case PROTOBUF_C_TYPE_INT64: return "int64"
        case PROTOBUF_C_TYPE_SINT64: return "sint64"
        case PROTOBUF_C_TYPE_SFIXED64: return "sfixed64"
        case PROTOBUF_C_TYPE_UINT32: return "uint32"
        case PROTOBUF_C_TYPE_FIXED32: return "fixed32"
        case PROTOBUF_C_TYPE_UINT64: return "uint64"
        case PROTOBUF_C_TYPE_FIXED64: return "fixed64"
        case PROTOBUF_C_TYPE_FLOAT: return "float"
        case PROTOBUF_C_TYPE_DOUBLE: return "double"
        case PROTOBUF_C_TYPE_BOOL: return "bool"
        case PROTOBUF_C_TYPE_STRING: return "string"
        case PROTOBUF_C_TYPE_BYTES: return "bytes"
        default: return "unknown"
        }
    }
}

/// A parsed JSON value, for ``ProtoMessageSchema/encode(json:)``. Numbers keep their text, so a
/// 64-bit integer loses no digits.
public indirect enum ProtoJSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([ProtoJSONValue])
    case object([String: ProtoJSONValue])
}

/// JSON that does not fit the message: which field, and what is wrong.
public struct ProtoJSONError: Error, CustomStringConvertible, Sendable {
    /// The field's path, like `items[2].quantity` (empty: the message itself).
    public let field: String
    /// What is wrong.
    public let reason: String

    public var description: String { field.isEmpty ? reason : "\(field): \(reason)" }
}

/// Writes protobuf wire format straight from JSON, field by field, as the descriptors say.
enum ProtoJSONEncoder {
    static func message(_ value: ProtoJSONValue, _ schema: ProtoMessageSchema, path: String, into out: inout [UInt8]) throws(ProtoJSONError)
    {
        guard case .object(let members) = value else {
            throw ProtoJSONError(field: path, reason: "expected a JSON object for \(schema.fullName)")
        }
        let fields = schema.fields
        for key in members.keys.sorted() {
            guard let field = fields.first(where: { $0.name == key || $0.jsonName == key }) else {
                throw ProtoJSONError(field: join(path, key), reason: "\(schema.fullName) has no field \"\(key)\"")
            }
            let value = members[key] ?? .null
            let fieldPath = join(path, field.name)
            if field.isRepeated {
                if value == .null { continue }
                guard case .array(let items) = value else { throw ProtoJSONError(field: fieldPath, reason: "expected a JSON array") }
                for (index, item) in items.enumerated() {
                    try self.field(item, field, path: "\(fieldPath)[\(index)]", into: &out)
                }
            } else if value != .null {
                try self.field(value, field, path: fieldPath, into: &out)
            }
        }
    }

    private static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    private static func field(_ value: ProtoJSONValue, _ field: ProtoFieldSchema, path: String, into out: inout [UInt8])
        throws(ProtoJSONError)
    {
        let number = UInt64(field.number)
        switch field.field.type {
        case PROTOBUF_C_TYPE_INT32:
            ProtoWire.appendVarint(number << 3, to: &out)
            ProtoWire.appendVarint(UInt64(bitPattern: Int64(try integer(value, Int32.self, path))), to: &out)
        case PROTOBUF_C_TYPE_INT64:
            ProtoWire.appendVarint(number << 3, to: &out)
            ProtoWire.appendVarint(UInt64(bitPattern: try integer(value, Int64.self, path)), to: &out)
        case PROTOBUF_C_TYPE_UINT32:
            ProtoWire.appendVarint(number << 3, to: &out)
            ProtoWire.appendVarint(UInt64(try integer(value, UInt32.self, path)), to: &out)
        case PROTOBUF_C_TYPE_UINT64:
            ProtoWire.appendVarint(number << 3, to: &out)
            ProtoWire.appendVarint(try integer(value, UInt64.self, path), to: &out)
        case PROTOBUF_C_TYPE_SINT32:
            let v = try integer(value, Int32.self, path)
            ProtoWire.appendVarint(number << 3, to: &out)
            ProtoWire.appendVarint(UInt64(UInt32(bitPattern: (v << 1) ^ (v >> 31))), to: &out)
        case PROTOBUF_C_TYPE_SINT64:
            let v = try integer(value, Int64.self, path)
            ProtoWire.appendVarint(number << 3, to: &out)
            ProtoWire.appendVarint(UInt64(bitPattern: (v << 1) ^ (v >> 63)), to: &out)
        case PROTOBUF_C_TYPE_FIXED32:
            ProtoWire.appendVarint(number << 3 | 5, to: &out)
            little(UInt64(try integer(value, UInt32.self, path)), 4, &out)
        case PROTOBUF_C_TYPE_SFIXED32:
            ProtoWire.appendVarint(number << 3 | 5, to: &out)
            little(UInt64(UInt32(bitPattern: try integer(value, Int32.self, path))), 4, &out)
        case PROTOBUF_C_TYPE_FIXED64:
            ProtoWire.appendVarint(number << 3 | 1, to: &out)
            little(try integer(value, UInt64.self, path), 8, &out)
        case PROTOBUF_C_TYPE_SFIXED64:
            ProtoWire.appendVarint(number << 3 | 1, to: &out)
            little(UInt64(bitPattern: try integer(value, Int64.self, path)), 8, &out)
        case PROTOBUF_C_TYPE_FLOAT:
            ProtoWire.appendVarint(number << 3 | 5, to: &out)
            little(UInt64(Float(try floating(value, path)).bitPattern), 4, &out)
        case PROTOBUF_C_TYPE_DOUBLE:
            ProtoWire.appendVarint(number << 3 | 1, to: &out)
            little(try floating(value, path).bitPattern, 8, &out)
        case PROTOBUF_C_TYPE_BOOL:
            guard case .bool(let flag) = value else { throw ProtoJSONError(field: path, reason: "expected true or false") }
            ProtoWire.appendVarint(number << 3, to: &out)
            ProtoWire.appendVarint(flag ? 1 : 0, to: &out)
        case PROTOBUF_C_TYPE_ENUM:
            ProtoWire.appendVarint(number << 3, to: &out)
            ProtoWire.appendVarint(UInt64(bitPattern: Int64(try enumValue(value, field, path))), to: &out)
        case PROTOBUF_C_TYPE_STRING:
            guard case .string(let text) = value else { throw ProtoJSONError(field: path, reason: "expected a string") }
            ProtoWire.append(UInt32(number), lengthDelimited: Array(text.utf8), to: &out)
        case PROTOBUF_C_TYPE_BYTES:
            guard case .string(let text) = value, let bytes = Base64.decode(text) else {
                throw ProtoJSONError(field: path, reason: "expected base64 text")
            }
            ProtoWire.append(UInt32(number), lengthDelimited: bytes, to: &out)
        case PROTOBUF_C_TYPE_MESSAGE:
            guard let schema = field.message else { throw ProtoJSONError(field: path, reason: "unknown message type") }
            var nested: [UInt8] = []
            try message(value, schema, path: path, into: &nested)
            ProtoWire.append(UInt32(number), lengthDelimited: nested, to: &out)
        default:
            throw ProtoJSONError(field: path, reason: "unsupported field type")
        }
    }

    private static func integer<T: FixedWidthInteger>(_ value: ProtoJSONValue, _ type: T.Type, _ path: String) throws(ProtoJSONError) -> T {
        let text: String
        switch value {
        case .number(let number): text = number
        case .string(let string): text = string
        default: throw ProtoJSONError(field: path, reason: "expected an integer")
        }
        if let exact = T(text) { return exact }
        // 1e3 or 5.0: integral values in another spelling.
        guard let double = Double(text), double.isFinite else { throw ProtoJSONError(field: path, reason: "\(text) is not an integer") }
        guard double == double.rounded() else { throw ProtoJSONError(field: path, reason: "\(text) is not a whole number") }
        if let exact = T(exactly: double) { return exact }
        throw ProtoJSONError(field: path, reason: "\(text) is out of range (\(T.min) to \(T.max))")
    }

    private static func floating(_ value: ProtoJSONValue, _ path: String) throws(ProtoJSONError) -> Double {
        switch value {
        case .number(let text): if let double = Double(text) { return double }
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case .string(let text): if let double = Double(text) { return double }
        default: break
        }
        throw ProtoJSONError(field: path, reason: "expected a number")
    }

    private static func enumValue(_ value: ProtoJSONValue, _ field: ProtoFieldSchema, _ path: String) throws(ProtoJSONError) -> Int32 {
        let values = field.enumValues ?? []
        switch value {
        case .string(let name):
            if let match = values.first(where: { $0.0 == name }) { return match.1 }
            let known = values.map(\.0).joined(separator: ", ")
            throw ProtoJSONError(field: path, reason: "\(field.typeName) has no value \"\(name)\" (known: \(known))")
        case .number(let text):
            guard let number = Int32(text) else { throw ProtoJSONError(field: path, reason: "\(text) is not an enum number") }
            return number
        default:
            throw ProtoJSONError(field: path, reason: "expected an enum value name")
        }
    }

    private static func little(_ value: UInt64, _ count: Int, _ out: inout [UInt8]) {
        for index in 0..<count { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
    }

}

/// Base64 as the protobuf JSON mapping reads it: the standard or the URL alphabet, padded or not.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var bits: UInt32 = 0
        var count = 0
        var out: [UInt8] = []
        for byte in text.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            case UInt8(ascii: "="): continue
            default: return nil
            }
            bits = bits << 6 | UInt32(value)
            count += 6
            if count >= 8 {
                count -= 8
                out.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
            }
        }
        return out
    }
}
