import ChatPanelProto
import Foundation
import Testing

/// Compatibility with the reference implementation: `protoc --decode` reads our bytes, and our
/// decoder reads the bytes of `protoc --encode`.
///
/// Needs `protoc` on `PATH` (`make deps` installs it); without it these tests fail and say so.
@Suite("protoc compatibility")
struct ProtocCompatibilityTests {
    static let type = "chatpanel.testing.v1.AllKinds"

    @Test("protoc --decode reads our bytes")
    func protocDecodesOurBytes() async throws {
        let message = TestingV1.AllKinds.fullySet
        let text = try await Protoc.decode(Self.type, try message.serializedBytes())
        let lines = Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })

        let expected = [
            "i32: -42",
            "i64: -9000000000",
            "u32: 4000000000",
            "u64: 18446744073709551615",
            "s32: -7",
            "s64: -9223372036854775808",
            "f32: 3735928559",
            "f64: 81985529216486895",
            "sf32: -3",
            "sf64: -4",
            "fl: 0.25",
            "db: -2.5",
            "flag: true",
            "text: \"\(Protoc.textEscaped("Привет 👋".utf8))\"",
            "blob: \"\\000\\377\\000\"",
            "color: GREEN",
            "label: \"a\"",
            "value: 150",
            "numbers: 1",
            "numbers: -2",
            "numbers: 9223372036854775807",
            "words: \"x\"",
            "words: \"\"",
            "words: \"\(Protoc.textEscaped("слово".utf8))\"",
            "colors: RED",
            "colors: 9",
            "colors: COLOR_UNSPECIFIED",
            "blobs: \"\"",
            "blobs: \"\\000\"",
            "blobs: \"\\001\\002\"",
            // Optionals set to zero or empty are present, so protoc prints them.
            "maybe_count: 0",
            "maybe_name: \"\"",
            "maybe_inner {",
            "postal {",
            "label: \"box\"",
            "value: 7",
            "flags: true",
            "flags: false",
            "doubles: 1.5",
            "doubles: -0",
        ]
        for line in expected {
            #expect(lines.contains(line), "protoc output lacks `\(line)`:\n\(text)")
        }
        #expect(!text.contains("email"))
        #expect(!text.contains("phone"))
    }

    @Test("protoc --decode of a message with nothing set prints nothing")
    func protocDecodesEmptyMessage() async throws {
        let text = try await Protoc.decode(Self.type, try TestingV1.AllKinds().serializedBytes())
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "")
    }

    @Test("protoc --decode reads a recursive message")
    func protocDecodesNode() async throws {
        var leaf = TestingV1.Node()
        leaf.name = "лист"
        var root = TestingV1.Node()
        root.name = "root"
        root.child = leaf
        let text = try await Protoc.decode("chatpanel.testing.v1.Node", try root.serializedBytes())
        let expected = "name: \"root\"\nchild {\n  name: \"\(Protoc.textEscaped("лист".utf8))\"\n}\n"
        #expect(text == expected)
    }

    static let textMessage = """
        i32: -7
        i64: 9000000000
        u32: 4294967295
        u64: 18446744073709551615
        s32: -2147483648
        s64: -1
        f32: 4294967295
        f64: 1
        sf32: -2147483648
        sf64: -9223372036854775808
        fl: -1.5
        db: 3.25
        flag: true
        text: "Привет, мир 👋"
        blob: "\\000a\\000\\377"
        color: 77
        inner { label: "in" value: -3 }
        numbers: [5, -6, 0]
        words: ["", "два"]
        inners { label: "x" }
        inners { }
        colors: [GREEN, COLOR_UNSPECIFIED, 5]
        blobs: ["", "\\000"]
        maybe_count: 0
        maybe_name: ""
        email: "a@b.c"
        flags: [false, true]
        doubles: [-1e300, 0.5]
        maybe_inner { value: 1 }
        """

    @Test("our decoder reads protoc --encode bytes")
    func weDecodeProtocBytes() async throws {
        let bytes = try await Protoc.encode(Self.type, Self.textMessage)
        let decoded = try TestingV1.AllKinds(serializedBytes: bytes)
        #expect(decoded.i32 == -7)
        #expect(decoded.i64 == 9_000_000_000)
        #expect(decoded.u32 == .max)
        #expect(decoded.u64 == .max)
        #expect(decoded.s32 == .min)
        #expect(decoded.s64 == -1)
        #expect(decoded.f32 == .max)
        #expect(decoded.f64 == 1)
        #expect(decoded.sf32 == .min)
        #expect(decoded.sf64 == .min)
        #expect(decoded.fl == -1.5)
        #expect(decoded.db == 3.25)
        #expect(decoded.flag)
        #expect(decoded.text == "Привет, мир 👋")
        #expect(decoded.blob == [0, 0x61, 0, 0xFF])
        #expect(decoded.color == .unrecognized(77))
        #expect(decoded.inner == makeInner("in", -3))
        #expect(decoded.numbers == [5, -6, 0])
        #expect(decoded.words == ["", "два"])
        #expect(decoded.inners == [makeInner("x", 0), TestingV1.Inner()])
        #expect(decoded.colors == [.green, .unspecified, .unrecognized(5)])
        #expect(decoded.blobs == [[], [0]])
        #expect(decoded.maybeCount == 0)
        #expect(decoded.maybeName == "")
        #expect(decoded.contact == .email("a@b.c"))
        #expect(decoded.flags == [false, true])
        #expect(decoded.doubles == [-1e300, 0.5])
        #expect(decoded.maybeInner == makeInner("", 1))
    }

    @Test("our encoder and protoc --encode produce identical bytes")
    func identicalBytes() async throws {
        let protocBytes = try await Protoc.encode(Self.type, Self.textMessage)
        let decoded = try TestingV1.AllKinds(serializedBytes: protocBytes)
        #expect(try decoded.serializedBytes() == protocBytes)
    }

    @Test("oneof message member from protoc")
    func protocPostal() async throws {
        let bytes = try await Protoc.encode(Self.type, "postal { label: \"p\" value: 2 }")
        let decoded = try TestingV1.AllKinds(serializedBytes: bytes)
        #expect(decoded.contact == .postal(makeInner("p", 2)))
        #expect(decoded.maybeInner == nil)
    }
}
