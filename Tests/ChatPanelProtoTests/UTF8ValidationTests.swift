import Testing

@testable import ChatPanelProto

/// The decoder's UTF-8 check accepts exactly what the standard library's `String(validating:)`
/// accepts.
@Suite struct UTF8ValidationTests {
    private func agrees(_ bytes: [UInt8]) -> Bool {
        let ours = bytes.withUnsafeBytes { WireValidator.isWellFormedUTF8($0) }
        return ours == (String(validating: bytes, as: UTF8.self) != nil)
    }

    @Test func everySequenceOfOneAndTwoBytes() {
        var disagreements: [[UInt8]] = []
        for first in 0...255 {
            if !agrees([UInt8(first)]) { disagreements.append([UInt8(first)]) }
            for second in 0...255 where !agrees([UInt8(first), UInt8(second)]) {
                disagreements.append([UInt8(first), UInt8(second)])
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test func threeAndFourByteSequencesAroundEveryBoundary() {
        // Every lead byte, followed by bytes at the edges of each range the table distinguishes.
        let edges: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        var disagreements: [[UInt8]] = []
        for lead in 0...255 {
            for second in edges {
                for third in edges where !agrees([UInt8(lead), second, third]) { disagreements.append([UInt8(lead), second, third]) }
            }
        }
        for lead in 0xE0...0xFF {
            for second in edges {
                for third in edges {
                    for fourth in edges where !agrees([UInt8(lead), second, third, fourth]) {
                        disagreements.append([UInt8(lead), second, third, fourth])
                    }
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test func textInManyScriptsAndItsTruncations() {
        let texts = ["Кофеварка капельная", "12\u{A0}990,00\u{A0}₽", "日本語のテキスト", "emoji 😀👍🏽 and ZWJ 👩‍👩‍👧", "ё̈ combining", "\u{10FFFF}\u{FFFD}\u{7FF}\u{800}"]
        for text in texts {
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBytes { WireValidator.isWellFormedUTF8($0) })
            // Cut anywhere: valid exactly when the cut falls between characters' encodings.
            for end in 0...bytes.count { #expect(agrees(Array(bytes[..<end])), "\(text) cut at \(end)") }
            for start in 0...bytes.count { #expect(agrees(Array(bytes[start...])), "\(text) from \(start)") }
        }
    }
}
