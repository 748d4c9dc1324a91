import ChatPanelRPC
import Testing
import W3CTraceContext

/// `traceparent` written and read in place: the same text as the W3C library writes, and the
/// same verdict as the library gives on every text, well formed or not.
@Suite struct TraceParentTests {
    @Test func writesWhatTheLibraryWrites() {
        var random = SystemRandomNumberGenerator()
        for flags: UInt8 in [0, 1, 0x0F, 0xA0, 0xFF] {
            for _ in 0..<200 {
                let trace = TraceContext(
                    traceID: .random(using: &random), spanID: .random(using: &random), flags: TraceFlags(rawValue: flags),
                    state: TraceState())
                #expect(trace.traceparent == trace.traceParentHeaderValue)
                #expect(TraceContext(traceparent: trace.traceparent) == trace)
            }
        }
    }

    @Test func acceptsAndRejectsWhatTheLibraryAcceptsAndRejects() {
        let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        var texts = [
            valid, "", "00", String(valid.dropLast()), valid + "0", valid.uppercased(), "01" + valid.dropFirst(2),
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz", "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
            "00-4bf92f3577b34da6a3ce929d0e0e473é-00f067aa0ba902b7-01",
        ]
        // Every byte of the valid text replaced by each byte that matters to the grammar.
        let bytes = Array(valid.utf8)
        for index in bytes.indices {
            for replacement in Array("0af9g-G/:`{ ".utf8) + [0, 0x7F, 0xFF] {
                var mutated = bytes
                mutated[index] = replacement
                texts.append(String(decoding: mutated, as: UTF8.self))
            }
        }
        for text in texts {
            let library = try? TraceContext(traceParentHeaderValue: text)
            #expect(TraceContext(traceparent: text) == library, "\(text.debugDescription)")
        }
    }
}
