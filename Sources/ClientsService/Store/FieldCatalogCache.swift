import ChatPanelProto
import Synchronization

/// The field catalog as of one version: every definition with its options, and the order and
/// pins of the managers that asked for a card at that version.
///
/// The catalog's version is a row of the database (`field_catalog`) that triggers raise with
/// every change to `field_definition`, `field_option` or `manager_field`, whoever makes it. A
/// card reads the version in its own snapshot, with the client's values, and uses what is kept
/// here only when it is of that same version; otherwise it reads the catalog tables and offers
/// what it read. The version only grows, so the newest catalog offered is kept and an older
/// snapshot's never replaces it.
final class FieldCatalogCache: Sendable {
    /// The definitions of one version.
    struct Catalog: Sendable {
        /// Every definition with its options, by code.
        var definitions: [String: ClientsV1.FieldDefinition]
        /// Each definition's position in the catalog (`field_definition.position`).
        var positions: [String: Int64]
    }

    /// One manager's order and pins at one version, as a card lays its fields out: worked out
    /// once per manager and version, not sorted again for every card.
    struct Layout: Sendable {
        /// The pinned fields of the catalog, in the order the card shows them.
        var pinned: [String]
        /// Every other field of the catalog, by its place among them on a card: those the
        /// manager placed first, by their position, then the rest by the catalog's.
        var rank: [String: Int]

        /// The layout of a manager whose `manager_field` rows give `positions` and `pins`,
        /// over `catalog`; codes the catalog lacks are left out. Ties fall to the code, so the
        /// order never depends on how rows came back.
        init(positions: [String: Int64], pins: Set<String>, catalog: Catalog) {
            let codes = catalog.definitions.keys
            pinned = codes.filter { pins.contains($0) }.sorted { a, b in
                (positions[a] ?? 0, catalog.positions[a] ?? 0, a) < (positions[b] ?? 0, catalog.positions[b] ?? 0, b)
            }
            let others = codes.filter { !pins.contains($0) }.sorted { a, b in
                let (placedA, placedB) = (positions[a], positions[b])
                return (placedA == nil ? 1 : 0, placedA ?? 0, catalog.positions[a] ?? 0, a)
                    < (placedB == nil ? 1 : 0, placedB ?? 0, catalog.positions[b] ?? 0, b)
            }
            rank = Dictionary(uniqueKeysWithValues: others.enumerated().map { ($1, $0) })
        }
    }

    private struct State {
        var version: Int64 = 0
        var catalog: Catalog?
        var layouts: [Int64: Layout] = [:]
    }

    private let state = Mutex(State())

    /// The catalog of `version`, when kept.
    func catalog(at version: Int64) -> Catalog? {
        state.withLock { $0.version == version ? $0.catalog : nil }
    }

    /// A manager's layout at `version`, when kept.
    func layout(of managerID: Int64, at version: Int64) -> Layout? {
        state.withLock { $0.version == version ? $0.layouts[managerID] : nil }
    }

    /// Offers the catalog read at `version`.
    func offer(_ catalog: Catalog, at version: Int64) {
        state.withLock { state in
            advance(&state, to: version)
            if state.version == version { state.catalog = catalog }
        }
    }

    /// Offers a manager's layout read at `version`.
    func offer(_ layout: Layout, of managerID: Int64, at version: Int64) {
        state.withLock { state in
            advance(&state, to: version)
            if state.version == version { state.layouts[managerID] = layout }
        }
    }

    /// Moves to a newer version, dropping what was kept of the older one.
    private func advance(_ state: inout State, to version: Int64) {
        guard version > state.version else { return }
        state = State(version: version)
    }
}
