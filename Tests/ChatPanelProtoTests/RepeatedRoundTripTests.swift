import ChatPanelProto
import Testing

/// Round trips of every repeated field kind of `AllKinds`: packed scalars (integers, bools,
/// doubles, enums), strings, bytes and messages, including empty elements and long lists.
@Suite("Round trips: repeated fields")
struct RepeatedRoundTripTests {
    @Test("repeated int64", arguments: [[], [0], [Int64.min, -1, 0, 1, Int64.max], Array(-500..<500)] as [[Int64]])
    func numbers(_ values: [Int64]) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.numbers = values }).numbers == values)
    }

    @Test("repeated string")
    func words() throws {
        let values = ["", "a", "Привет", "👋🏽", "", String(repeating: "z", count: 300)]
        let decoded = try roundTrip(TestingV1.AllKinds.with { $0.words = values })
        #expect(decoded.words.map { Array($0.utf8) } == values.map { Array($0.utf8) })
    }

    @Test("repeated message, empty elements kept")
    func inners() throws {
        let values = [TestingV1.Inner(), makeInner("x", 1), makeInner("", -1), TestingV1.Inner()]
        let decoded = try roundTrip(TestingV1.AllKinds.with { $0.inners = values })
        #expect(decoded.inners == values)
        #expect(decoded.inners.count == 4)
    }

    @Test("repeated enum, unrecognized values kept")
    func colors() throws {
        let values: [TestingV1.Color] = [.red, .unspecified, .green, .unrecognized(42), .unrecognized(-3), .red]
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.colors = values }).colors == values)
    }

    @Test("repeated bytes, empty and zero elements kept")
    func blobs() throws {
        let values: [[UInt8]] = [[], [0], [0, 0], [1, 2, 3], Array(0...255), []]
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.blobs = values }).blobs == values)
    }

    @Test("repeated bool", arguments: [[], [true], [false], [true, false, false, true, true]] as [[Bool]])
    func flags(_ values: [Bool]) throws {
        #expect(try roundTrip(TestingV1.AllKinds.with { $0.flags = values }).flags == values)
    }

    @Test("repeated double keeps bit patterns, -0.0 and NaN included")
    func doubles() throws {
        let values: [Double] = [0, -0.0, -0.5, 1e300, .infinity, -.infinity, .leastNonzeroMagnitude, .nan]
        let message = TestingV1.AllKinds.with { $0.doubles = values }
        let decoded = try TestingV1.AllKinds(serializedBytes: try message.serializedBytes())
        #expect(decoded.doubles.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test("all repeated fields together")
    func together() throws {
        let message = TestingV1.AllKinds.with {
            $0.numbers = [3, 2, 1]
            $0.words = ["one", "two"]
            $0.inners = [makeInner("i", 9)]
            $0.colors = [.green, .green]
            $0.blobs = [[9]]
            $0.flags = [false, true]
            $0.doubles = [2.5]
        }
        try roundTrip(message)
    }
}
