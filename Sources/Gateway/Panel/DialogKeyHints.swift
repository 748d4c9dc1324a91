import ChatPanelProto
import Synchronization

/// The keys each dialog's client card had when its panel was last composed (its dialog, channel,
/// login and client id), so that the next panel of the dialog asks the other services for their
/// widgets while the card is still being read, instead of after it.
///
/// A hint is only a guess: a panel keeps the widgets asked for with it only when the card that
/// comes back has the same keys, and asks again with the card's keys otherwise (the dialog was
/// linked to another client, or merged, since). So a stale hint costs one call, never a widget
/// of the wrong client.
///
/// At most `capacity` dialogs are remembered, in two generations: when the newer one is full it
/// becomes the older one, and the older one is dropped (the dialogs whose panels are opened
/// again stay, moved to the newer generation when they are looked up).
final class DialogKeyHints: Sendable {
    private struct Generations {
        var newer: [String: ClientsV1.ClientCardKeys] = [:]
        var older: [String: ClientsV1.ClientCardKeys] = [:]
    }

    private let generations = Mutex(Generations())
    private let generationSize: Int

    /// Hints for at most `capacity` dialogs (``GatewayConfiguration/panelKeyHints``).
    init(capacity: Int) {
        generationSize = max(1, capacity / 2)
    }

    /// The keys the dialog's card had last time, if its panel was composed lately.
    func keys(of dialogID: String) -> ClientsV1.ClientCardKeys? {
        generations.withLock { generations in
            if let keys = generations.newer[dialogID] { return keys }
            guard let keys = generations.older.removeValue(forKey: dialogID) else { return nil }
            Self.insert(keys, for: dialogID, into: &generations, generationSize: generationSize)
            return keys
        }
    }

    /// Remembers the keys of a card the dialog's panel was composed with.
    func remember(_ keys: ClientsV1.ClientCardKeys, for dialogID: String) {
        generations.withLock { generations in
            if generations.newer[dialogID] == keys { return }
            Self.insert(keys, for: dialogID, into: &generations, generationSize: generationSize)
        }
    }

    /// Forgets a dialog (its card could not be read: asking the other services with its keys
    /// again would only waste their calls).
    func forget(_ dialogID: String) {
        generations.withLock { generations in
            generations.newer[dialogID] = nil
            generations.older[dialogID] = nil
        }
    }

    /// How many dialogs are remembered (for tests).
    var count: Int {
        generations.withLock { $0.newer.count + $0.older.count }
    }

    private static func insert(
        _ keys: ClientsV1.ClientCardKeys, for dialogID: String, into generations: inout Generations, generationSize: Int
    ) {
        if generations.newer[dialogID] == nil, generations.newer.count >= generationSize {
            generations.older = generations.newer
            generations.newer = [:]
        }
        generations.older[dialogID] = nil
        generations.newer[dialogID] = keys
    }
}
