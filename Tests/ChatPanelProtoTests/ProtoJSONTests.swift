import ChatPanelProto
import Foundation
import Testing

/// JSON to wire and back through the compiled descriptors (what `chatpanelctl call` sends and
/// prints): every field kind, both name spellings, 64-bit integers as strings, and errors that
/// name the field.
@Suite struct ProtoJSONTests {
    let schema = ProtoMessageSchema(TestingV1.AllKinds.self)

    @Test func everyFieldKindEncodesAsTheGeneratedCodeDecodesIt() throws {
        let json: ProtoJSONValue = .object([
            "i32": .number("-7"), "i64": .string("-9007199254740993"), "u32": .number("4000000000"),
            "u64": .string("18446744073709551615"), "s32": .number("-3"), "s64": .number("-4"), "f32": .number("5"),
            "f64": .number("6"), "sf32": .number("-8"), "sf64": .number("-9"), "fl": .number("1.5"), "db": .string("-Infinity"),
            "flag": .bool(true), "text": .string("Привет"), "blob": .string("AAEC/w=="), "color": .string("GREEN"),
            "inner": .object(["label": .string("in"), "value": .number("42")]),
            "numbers": .array([.number("1"), .string("2")]), "words": .array([.string("a"), .string("b")]),
            "inners": .array([.object(["label": .string("x")])]), "colors": .array([.string("RED"), .number("2")]),
            "blobs": .array([.string("-_8"), .string("")]), "maybeCount": .number("0"), "email": .string("a@b.c"),
            "flags": .array([.bool(false), .bool(true)]), "doubles": .array([.number("2.25")]), "maybe_name": .null,
        ])
        let message = try TestingV1.AllKinds(serializedBytes: try schema.encode(json: json))
        #expect(message.i32 == -7)
        #expect(message.i64 == -9_007_199_254_740_993, "no digit lost through a double")
        #expect(message.u32 == 4_000_000_000)
        #expect(message.u64 == .max)
        #expect(message.s32 == -3 && message.s64 == -4)
        #expect(message.f32 == 5 && message.f64 == 6 && message.sf32 == -8 && message.sf64 == -9)
        #expect(message.fl == 1.5 && message.db == -.infinity)
        #expect(message.flag && message.text == "Привет")
        #expect(message.blob == [0, 1, 2, 255])
        #expect(message.color == .green)
        #expect(message.inner?.label == "in" && message.inner?.value == 42)
        #expect(message.numbers == [1, 2] && message.words == ["a", "b"])
        #expect(message.inners.map(\.label) == ["x"])
        #expect(message.colors == [.red, .green])
        #expect(message.blobs == [[0xFB, 0xFF], []], "URL-safe base64 without padding")
        #expect(message.maybeCount == 0, "an explicitly set optional field is present")
        #expect(message.maybeName == nil)
        #expect(message.flags == [false, true] && message.doubles == [2.25])

        // And back: the protobuf JSON mapping writes 64-bit integers as strings.
        let text = try schema.jsonText(try message.serializedBytes(), pretty: false)
        #expect(text.contains(#""i64":"-9007199254740993""#), "\(text)")
        #expect(text.contains(#""u64":"18446744073709551615""#))
        #expect(text.contains(#""color":"GREEN""#))
        #expect(text.contains(#""blob":"AAEC/w==""#))
    }

    @Test(arguments: [
        (ProtoJSONValue.object(["nope": .number("1")]), "nope", "has no field"),
        (.object(["i32": .number("3000000000")]), "i32", "3000000000 is out of range (-2147483648 to 2147483647)"),
        (.object(["i32": .number("1.5")]), "i32", "1.5 is not a whole number"),
        (.object(["i32": .string("abc")]), "i32", "abc is not an integer"),
        (.object(["text": .number("1")]), "text", "expected a string"),
        (.object(["flag": .string("yes")]), "flag", "expected true or false"),
        (.object(["color": .string("BLUE")]), "color", "no value \"BLUE\""),
        (.object(["blob": .string("not base64!")]), "blob", "base64"),
        (.object(["inners": .array([.object(["value": .string("x")])])]), "inners[0].value", "x is not an integer"),
        (.object(["words": .string("a")]), "words", "expected a JSON array"),
        (.array([]), "", "expected a JSON object"),
    ])
    func jsonThatDoesNotFitNamesTheField(json: ProtoJSONValue, field: String, reason: String) {
        do {
            _ = try schema.encode(json: json)
            Issue.record("\(json) was accepted")
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(error.reason.contains(reason), "\(error)")
        }
    }

    @Test func everyServiceMethodIsDescribedFromTheCompiledDescriptors() throws {
        let check = try #require(ProtoSchema.method("/chatpanel.health.v1.Health/Check"))
        #expect(check.request.fullName == "chatpanel.health.v1.HealthCheckRequest")
        #expect(check.response.fullName == "chatpanel.health.v1.HealthCheckResponse")
        #expect(check.response.protoText.contains("enum chatpanel.health.v1.ServingStatus {"), "\(check.response.protoText)")
        #expect(ProtoSchema.message("chatpanel.gateway.v1.GetPanelRequest")?.fields.map(\.jsonName) == ["dialogId"])
        // Every service of proto/ is in the schema: a service added there must be listed in ProtoSchema.
        let protoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../proto").standardized
        var declared: Set<String> = []
        for case let file as URL in FileManager.default.enumerator(at: protoRoot, includingPropertiesForKeys: nil)!
        where file.pathExtension == "proto" {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            let package = lines.first { $0.hasPrefix("package ") }.map { $0.dropFirst(8).dropLast() } ?? ""
            for line in lines where line.hasPrefix("service ") {
                declared.insert("\(package).\(line.split(separator: " ")[1])")
            }
        }
        #expect(!declared.isEmpty)
        #expect(declared.subtracting(ProtoSchema.serviceNames).isEmpty, "missing from ProtoSchema: \(declared.subtracting(ProtoSchema.serviceNames))")
    }
}
