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

    /// One manager's order and pins at one version.
    struct Layout: Sendable {
        /// Each placed field's position (`manager_field.position`).
        var positions: [String: Int64]
        /// The pinned fields.
        var pinned: Set<String>
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
