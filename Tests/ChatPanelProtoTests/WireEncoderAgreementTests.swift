import ChatPanelProto
import Foundation
import Testing

/// The generated one-pass encoder (`onePassBytes()`, each message's `writeWire(to:)`) is held
/// to protobuf-c's packing (`serializedBytes()`): the same bytes for every
/// message type the services speak, with every field set (a few ways), for the fuzzing seeds of
/// every request and each change of them, and the same error for a string holding U+0000.
@Suite struct WireEncoderAgreementTests {
    /// Every request type of every service, sorted by path (as the fuzz target picks them).
    static let requestTypes = ProtoSchema.serviceRequestTypes

    /// The request types, and the answers and parts the panel's hot paths encode.
    static let types: [any ProtoMessage.Type] = requestTypes + [
        ClientsV1.ClientCard.self, ClientsV1.ListClientTagsResponse.self, TasksV1.GetPanelDataResponse.self,
        TasksV1.ListTasksResponse.self, OrdersV1.Order.self, OrdersV1.Cart.self, OrdersV1.ProductList.self,
        OrdersV1.Product.self, OrdersV1.OrderSettings.self, OrdersV1.GetPanelDataResponse.self,
        InsightsV1.GetVisitResponse.self, InsightsV1.Summary.self, InsightsV1.GetPanelDataResponse.self,
        GatewayV1.Panel.self, GatewayV1.PanelUpdate.self, GatewayV1.Layout.self, RPCV1.RequestFrame.self, RPCV1.ResponseFrame.self,
        RPCV1.Status.self, ChangesV1.ChangeBatch.self, TestingV1.AllKinds.self, TestingV1.Node.self,
    ]

    /// Wire bytes setting every field of `schema` (a repeated field twice), nested messages to
    /// `depth` levels; `variant` picks the values (0: small, 1: large and negative, 2: empty
    /// strings and bytes with zero numbers, which fields with presence still write).
    static func synthesized(_ schema: ProtoMessageSchema, depth: Int, variant: Int) -> [UInt8] {
        var out: [UInt8] = []
        for field in schema.fields {
            let times = field.isRepeated ? 2 : 1
            for time in 0..<times {
                let n = UInt64(field.number)
                func key(_ wireType: UInt64) { ProtoWire.appendVarint(n << 3 | wireType, to: &out) }
                func varint(_ small: UInt64, _ large: UInt64) {
                    key(0)
                    ProtoWire.appendVarint(variant == 0 ? small + UInt64(time) : variant == 1 ? large : 0, to: &out)
                }
                func fixed(_ width: Int) {
                    key(width == 4 ? 5 : 1)
                    let value: UInt64 = variant == 0 ? 0x3F80_0000 : variant == 1 ? 0xBFF0_0000_0000_0000 : 0
                    for index in 0..<width { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
                }
                func lengthDelimited(_ payload: [UInt8]) {
                    key(2)
                    ProtoWire.appendVarint(UInt64(payload.count), to: &out)
                    out += payload
                }
                if let message = field.message {
                    guard depth > 0 else { continue }
                    lengthDelimited(synthesized(message, depth: depth - 1, variant: variant))
                } else if let values = field.enumValues {
                    varint(UInt64(values.last?.1 ?? 1), 0xFFFF_FFFF_FFFF_FFFF)  // the last value; -1 (unrecognized)
                } else {
                    switch field.typeName {
                    case "int32", "int64": varint(150, 0xFFFF_FFFF_FFFF_FFFE)  // -2, sign-extended
                    case "uint32": varint(7, 0xFFFF_FFFF)
                    case "uint64": varint(7, 0xFFFF_FFFF_FFFF_FFFF)
                    case "sint32", "sint64": varint(3, 0xFFFF_FFFF)  // ZigZag: -2, and a large negative
                    case "bool": varint(1, 1)
                    case "fixed32", "sfixed32", "float": fixed(4)
                    case "fixed64", "sfixed64", "double": fixed(8)
                    case "string": lengthDelimited(variant == 2 ? [] : Array((variant == 0 ? "a\(time)" : "Привет 👋 \(field.name)").utf8))
                    case "bytes": lengthDelimited(variant == 2 ? [] : [0, UInt8(time), 0xFF])
                    default: Issue.record("a field of type \(field.typeName) the test does not know")
                    }
                }
            }
        }
        return out
    }

    static func agree<M: ProtoMessage>(_ message: M, sourceLocation: SourceLocation = #_sourceLocation) {
        let written = Result { try message.onePassBytes() }
        let packed = Result { try message.serializedBytes() }
        switch (written, packed) {
        case (.success(let a), .success(let b)):
            #expect(a == b, "\(M.self): \(message)", sourceLocation: sourceLocation)
            #expect(a.count == message.wireSize, sourceLocation: sourceLocation)
        case (.failure(let a), .failure(let b)):
            #expect("\(a)" == "\(b)", "\(M.self)", sourceLocation: sourceLocation)
        default:
            Issue.record("\(M.self): the generated encoder gave \(written), protobuf-c \(packed)", sourceLocation: sourceLocation)
        }
    }

    static func decodeAndAgree<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8]) -> Bool {
        guard let message = try? M(serializedBytes: bytes, limits: ProtoDecodingLimits(maxDepth: 32)) else { return false }
        agree(message)
        return true
    }

    @Test func everyFieldOfEveryTypeIsWrittenAsProtobufCPacksIt() {
        for type in Self.types {
            for variant in 0..<3 {
                let bytes = Self.synthesized(ProtoMessageSchema(type), depth: 3, variant: variant)
                let decoded = Self.decodeAndAgree(type, bytes)
                #expect(decoded, "\(type) variant \(variant) did not decode")
            }
        }
    }

    @Test func theFuzzingSeedsAndEveryChangeOfThemAgree() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../Fuzz/Corpus/FuzzServiceRequests")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names.count > 50)
        var decoded = 0
        for name in names {
            let input = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
            guard let selector = input.first else { continue }
            // The fuzz target's selector: the request types sorted by path.
            let type = Self.requestTypes[Int(selector) % Self.requestTypes.count]
            for bytes in [Array(input.dropFirst())] + DecoderAgreement.mutations(of: Array(input.dropFirst().prefix(64))) {
                if Self.decodeAndAgree(type, bytes) { decoded += 1 }
            }
        }
        #expect(decoded > 500)
    }

    @Test func aNULIsRefusedWithTheSameFieldPath() {
        var node = TestingV1.Node()
        node.child = TestingV1.Node()
        node.child?.child = TestingV1.Node()
        node.child?.child?.name = "a\u{0}"
        Self.agree(node)
        #expect(throws: ProtoCodingError.embeddedNUL(field: "child.child.name")) { try node.onePassBytes() }
        var kinds = TestingV1.AllKinds.fullySet
        kinds.words = ["ok", "b\u{0}"]
        Self.agree(kinds)
        #expect(throws: ProtoCodingError.embeddedNUL(field: "words")) { try kinds.onePassBytes() }
    }
}
