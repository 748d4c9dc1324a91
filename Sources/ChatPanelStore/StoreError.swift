/// Why the store kit refused or failed a read or a write. The kit knows nothing of the wire:
/// the process runtime maps these to RPC status codes (busy → `UNAVAILABLE`, disk full →
/// `RESOURCE_EXHAUSTED`, a request id reused for another method or another payload → `FAILED_PRECONDITION`).
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Sendable, Hashable {
        case busy
        case diskFull
        case requestIDReused(requestID: String, firstMethod: String)
        case requestIDReusedWithAnotherPayload(requestID: String)
    }

    private let kind: Kind

    /// The database stayed locked for longer than the busy timeout; a retry may succeed.
    public static let busy = StoreError(kind: .busy)
    /// The disk (or the database's size limit) is full: nothing was written.
    public static let diskFull = StoreError(kind: .diskFull)

    /// A request id that was already used for another method.
    public static func requestIDReused(_ requestID: String, firstMethod: String) -> StoreError {
        StoreError(kind: .requestIDReused(requestID: requestID, firstMethod: firstMethod))
    }

    /// A request id that was already used for the same method with another payload.
    public static func requestIDReusedWithAnotherPayload(_ requestID: String) -> StoreError {
        StoreError(kind: .requestIDReusedWithAnotherPayload(requestID: requestID))
    }

    /// Whether the database was busy (transient: worth a retry).
    public var isBusy: Bool { kind == .busy }
    /// Whether the disk was full.
    public var isDiskFull: Bool { kind == .diskFull }
    /// Whether a request id was reused for another method or another payload.
    public var isRequestIDReused: Bool {
        switch kind {
        case .requestIDReused, .requestIDReusedWithAnotherPayload: true
        case .busy, .diskFull: false
        }
    }

    public var description: String {
        switch kind {
        case .busy: "the database is busy; retry"
        case .diskFull: "the database disk is full"
        case .requestIDReused(let requestID, let firstMethod): "request id \(requestID) was already used for \(firstMethod)"
        case .requestIDReusedWithAnotherPayload(let requestID):
            "request id \(requestID) was already used with another request; use a new id for a new change"
        }
    }
}
