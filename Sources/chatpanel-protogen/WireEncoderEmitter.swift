/// The code of a message's wire encoder: `wireSize` and `writeWire(to:)`, which write the
/// fields in number order with proto3's rules (a field without presence left out at its default,
/// one with presence written when set, numeric lists packed): the bytes protobuf-c packs for the
/// same message, written in one pass with no C structure built.
struct WireEncoderEmitter {
    /// How a field's value is reached and when it is written.
    enum Presence {
        /// A proto3 field without presence: written unless at its default.
        case implicit
        /// A proto3 `optional` field or a message field: written when not nil.
        case optional
        /// A member of a real oneof: written when the oneof holds it.
        case oneof(property: String, caseName: String)
    }

    /// The lines adding the message's encoded size to `size`, and those writing it to `out`.
    static func lines(
        _ fields: [(field: FieldDescriptor, property: String, presence: Presence)]
    ) -> (size: [String], write: [String]) {
        var size: [String] = []
        var write: [String] = []
        for (field, property, presence) in fields.sorted(by: { $0.field.number < $1.field.number }) {
            let (sizeCode, writeCode) = code(field, property: property, presence: presence)
            size.append(sizeCode)
            write.append(writeCode)
        }
        return (size, write)
    }

    private enum WireKind {
        case varint(String), fixed32(String), fixed64(String), string, bytes, message
    }

    /// The wire kind of `field`, with the expression (of `v`) giving a numeric value's bits.
    private static func kind(_ field: FieldDescriptor) -> WireKind {
        switch field.type {
        case 3: .varint("UInt64(bitPattern: v)")  // int64
        case 4: .varint("v")  // uint64
        case 5: .varint("UInt64(bitPattern: Int64(v))")  // int32: sign-extended to 64 bits
        case 13: .varint("UInt64(v)")  // uint32
        case 17: .varint("UInt64(UInt32(bitPattern: (v &<< 1) ^ (v >> 31)))")  // sint32: ZigZag
        case 18: .varint("UInt64(bitPattern: (v &<< 1) ^ (v >> 63))")  // sint64: ZigZag
        case 8: .varint("(v ? 1 : 0)")  // bool
        case 14: .varint("UInt64(bitPattern: Int64(v.rawValue))")  // enum: as int32
        case 7: .fixed32("v")  // fixed32
        case 15: .fixed32("UInt32(bitPattern: v)")  // sfixed32
        case 2: .fixed32("v.bitPattern")  // float
        case 6: .fixed64("v")  // fixed64
        case 16: .fixed64("UInt64(bitPattern: v)")  // sfixed64
        case 1: .fixed64("v.bitPattern")  // double
        case 9: .string
        case 12: .bytes
        default: .message
        }
    }

    /// `statements`, run only when `condition` (an `if` clause, or empty for always) holds.
    private static func guarded(_ condition: String, _ statements: String) -> String {
        condition.isEmpty ? statements : "\(condition){ \(statements) }"
    }

    private static func code(_ field: FieldDescriptor, property: String, presence: Presence) -> (String, String) {
        let n = field.number
        let key = "ProtoWire.Writer.keySize(\(n))"
        let name = field.name
        let kind = kind(field)

        if field.isRepeated {
            switch kind {
            case .varint(let expression):
                return (
                    "if !\(property).isEmpty { var payload = 0; for v in \(property) { payload += ProtoWire.varintSize(\(expression)) }; size += \(key) + ProtoWire.varintSize(UInt64(payload)) + payload }",
                    "if !\(property).isEmpty { var payload = 0; for v in \(property) { payload += ProtoWire.varintSize(\(expression)) }; out.putHeader(\(n), length: payload); for v in \(property) { out.putVarint(\(expression)) } }"
                )
            case .fixed32(let expression):
                return (
                    "if !\(property).isEmpty { size += \(key) + ProtoWire.varintSize(UInt64(4 * \(property).count)) + 4 * \(property).count }",
                    "if !\(property).isEmpty { out.putHeader(\(n), length: 4 * \(property).count); for v in \(property) { out.putFixed32(\(expression)) } }"
                )
            case .fixed64(let expression):
                return (
                    "if !\(property).isEmpty { size += \(key) + ProtoWire.varintSize(UInt64(8 * \(property).count)) + 8 * \(property).count }",
                    "if !\(property).isEmpty { out.putHeader(\(n), length: 8 * \(property).count); for v in \(property) { out.putFixed64(\(expression)) } }"
                )
            case .string:
                return (
                    "for v in \(property) { size += ProtoWire.Writer.size(\(n), present: v.utf8.count) }",
                    "for v in \(property) { try out.putAlways(\(n), string: v, field: \"\(name)\") }"
                )
            case .bytes:
                return (
                    "for v in \(property) { size += ProtoWire.Writer.size(\(n), present: v.count) }",
                    "for v in \(property) { out.putAlways(\(n), bytes: v) }"
                )
            case .message:
                return (
                    "for v in \(property) { size += ProtoWire.Writer.size(\(n), present: v.wireSize) }",
                    "for v in \(property) { try out.putAlways(\(n), message: v, field: \"\(name)\") }"
                )
            }
        }

        // One value: `v` where it is written.
        let (open, close): (String, String)
        let always: Bool
        switch presence {
        case .implicit:
            (open, close) = ("do { let v = \(property); ", " }")
            always = false
        case .optional:
            (open, close) = ("if let v = \(property) { ", " }")
            always = true
        case .oneof(let oneof, let caseName):
            (open, close) = ("if case .\(caseName)(let v)? = \(oneof) { ", " }")
            always = true
        }
        let sizeBody: String
        let writeBody: String
        switch kind {
        case .varint(let expression):
            let skip = always ? "" : "if \(field.type == 8 ? "v" : field.type == 14 ? "v.rawValue != 0" : "v != 0") "
            sizeBody = guarded(skip, "size += \(key) + ProtoWire.varintSize(\(expression))")
            writeBody = guarded(skip, "out.putKey(\(n), wireType: 0); out.putVarint(\(expression))")
        case .fixed32(let expression):
            let skip = always ? "" : "if v != 0 "
            sizeBody = guarded(skip, "size += \(key) + 4")
            writeBody = guarded(skip, "out.putKey(\(n), wireType: 5); out.putFixed32(\(expression))")
        case .fixed64(let expression):
            let skip = always ? "" : "if v != 0 "
            sizeBody = guarded(skip, "size += \(key) + 8")
            writeBody = guarded(skip, "out.putKey(\(n), wireType: 1); out.putFixed64(\(expression))")
        case .string:
            if always {
                sizeBody = "size += ProtoWire.Writer.size(\(n), present: v.utf8.count)"
                writeBody = "try out.putAlways(\(n), string: v, field: \"\(name)\")"
            } else {
                sizeBody = "size += ProtoWire.Writer.size(\(n), lengthDelimited: v.utf8.count)"
                writeBody = "try out.put(\(n), string: v, field: \"\(name)\")"
            }
        case .bytes:
            if always {
                sizeBody = "size += ProtoWire.Writer.size(\(n), present: v.count)"
                writeBody = "out.putAlways(\(n), bytes: v)"
            } else {
                sizeBody = "size += ProtoWire.Writer.size(\(n), lengthDelimited: v.count)"
                writeBody = "if !v.isEmpty { out.putAlways(\(n), bytes: v) }"
            }
        case .message:
            // A message field has presence: written whenever it is set.
            sizeBody = "size += ProtoWire.Writer.size(\(n), present: v.wireSize)"
            writeBody = "try out.putAlways(\(n), message: v, field: \"\(name)\")"
        }
        return (open + sizeBody + close, open + writeBody + close)
    }
}
