import ChatPanelProto
import Testing

/// Round trips of field presence: the one-member oneofs that map to Swift optionals (unset,
/// set to zero or empty, set to a value) and every member of the real oneof `contact`.
@Suite("Round trips: optionals and oneofs")
struct PresenceRoundTripTests {
    @Test("optional int64", arguments: [nil, 0, -1, Int64.min, Int64.max] as [Int64?])
    func maybeCount(_ value: Int64?) throws {
        let decoded = try roundTrip(TestingV1.AllKinds.with { $0.maybeCount = value })
        #expect(decoded.maybeCount == value)
    }

    @Test("optional string", arguments: [nil, "", "x", "Привет 👋"] as [String?])
    func maybeName(_ value: String?) throws {
        let decoded = try roundTrip(TestingV1.AllKinds.with { $0.maybeName = value })
        #expect(decoded.maybeName == value)
    }

    @Test("optional message", arguments: [nil, TestingV1.Inner(), makeInner("a", 1)] as [TestingV1.Inner?])
    func maybeInner(_ value: TestingV1.Inner?) throws {
        let decoded = try roundTrip(TestingV1.AllKinds.with { $0.maybeInner = value })
        #expect(decoded.maybeInner == value)
    }

    @Test("optionals set to zero or empty are present on the wire")
    func zeroIsPresent() throws {
        let message = TestingV1.AllKinds.with {
            $0.maybeCount = 0
            $0.maybeName = ""
            $0.maybeInner = TestingV1.Inner()
        }
        #expect(try !message.serializedBytes().isEmpty)
        let decoded = try roundTrip(message)
        #expect(decoded.maybeCount != nil)
        #expect(decoded.maybeName != nil)
        #expect(decoded.maybeInner != nil)
    }

    @Test("optionals are independent of each other")
    func independent() throws {
        let decoded = try roundTrip(TestingV1.AllKinds.with { $0.maybeName = "only" })
        #expect(decoded.maybeCount == nil)
        #expect(decoded.maybeInner == nil)
        #expect(decoded.maybeName == "only")
    }

    @Test(
        "oneof contact",
        arguments: [
            nil, .email(""), .email("a@example.com"), .phone(""), .phone("+7 999 123-45-67"), .postal(TestingV1.Inner()),
            .postal(makeInner("Москва", 101_000)),
        ] as [TestingV1.AllKinds.Contact?]
    )
    func contact(_ value: TestingV1.AllKinds.Contact?) throws {
        let decoded = try roundTrip(TestingV1.AllKinds.with { $0.contact = value })
        #expect(decoded.contact == value)
    }

    @Test("oneof alongside every optional")
    func oneofWithOptionals() throws {
        let message = TestingV1.AllKinds.with {
            $0.contact = .phone("0")
            $0.maybeCount = 5
            $0.maybeName = "n"
            $0.maybeInner = makeInner("m", -5)
        }
        try roundTrip(message)
    }
}
