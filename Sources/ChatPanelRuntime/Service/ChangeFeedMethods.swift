import ChatPanelProto
public import ChatPanelRPC
public import ChatPanelStore

/// `chatpanel.changes.v1.Changes/Watch`, which every service host answers (panel method
/// group): the changes its database records (``ChatPanelStore/PanelChange``), in commit order.
///
/// The first batch comes at once: the changes after the caller's position (or, from the head,
/// none), or a gap when the position is no longer held. Then
/// a batch follows each commit that recorded changes (commits made while a batch is sent
/// coalesce into the next), at most ``batchLimit`` changes a batch. The stream is a
/// subscription: it lasts until the caller cancels and ends with UNAVAILABLE when the process
/// drains.
public enum ChangeFeedMethods {
    /// The most changes one batch carries (well inside the 1 MiB frame limit).
    public static let batchLimit = 1_000

    /// The router of `database`'s change feed.
    public static func makeRouter(database: SQLiteStore) -> RPCRouter {
        var router = RPCRouter()
        router.register(ChangesV1.Changes.watch, group: .panel, isSubscription: true) { request, writer, _ in
            guard request.afterPosition >= 0 else {
                throw RPCError.invalidArgument(field: "after_position", "must not be negative")
            }
            // Subscribed before the first read: a commit after it wakes the loop below.
            var wakeUps = database.changeSignal.subscribe().makeAsyncIterator()
            var position = request.afterPosition
            if request.fromHead {
                position = try await database.changeFeedHead()
                var batch = ChangesV1.ChangeBatch()
                batch.headPosition = position
                try await writer.send(batch)
            }
            var first = !request.fromHead
            var more = false
            while true {
                if !first, !more {
                    guard await wakeUps.next() != nil else { return }  // cancelled
                }
                let page = try await database.changes(after: position, limit: batchLimit)
                more = false
                if page.gap {
                    position = page.head
                } else if let last = page.changes.last {
                    position = last.position
                    more = page.changes.count == batchLimit
                } else if !first {
                    continue  // woken by a commit this loop had already read
                }
                first = false
                try await writer.send(batch(page))
            }
        }
        return router
    }

    /// The wire form of a page of the feed.
    static func batch(_ page: ChangeFeedPage) -> ChangesV1.ChangeBatch {
        var batch = ChangesV1.ChangeBatch()
        batch.headPosition = page.head
        batch.gap = page.gap
        batch.changes = page.changes.map { change in
            var wire = ChangesV1.Change()
            wire.position = change.position
            wire.widget = change.widget.rawValue
            wire.clientID = change.clientID
            wire.dialogID = change.dialogID
            wire.visitorID = change.visitorID
            wire.atMs = change.atMs
            return wire
        }
        return batch
    }
}
