import ChatPanelProto
import Synchronization

/// The layouts and the settings the gateway last read or wrote, so that composing a panel
/// queries nothing of the gateway's own database. The gateway process is that database's only
/// writer, so what it wrote is what is there.
///
/// Layouts carry a version that only grows: the cache keeps the newest it has seen, so a read
/// from an older snapshot never replaces a newer update. Settings have no version: updates
/// replace them on the writer queue in commit order, and a read stores what it found only if no
/// update came in between (a generation counter says so).
final class ConfigurationCache: Sendable {
    private struct State {
        var layouts: [Int64: GatewayV1.Layout] = [:]
        var settings: GatewayV1.Settings?
        var settingsGeneration: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A manager's layout, when known.
    func layout(managerID: Int64) -> GatewayV1.Layout? {
        state.withLock { $0.layouts[managerID] }
    }

    /// Offers a layout read or written; returns the newest known for that manager.
    func offer(_ layout: GatewayV1.Layout) -> GatewayV1.Layout {
        state.withLock { state in
            if let known = state.layouts[layout.managerID], known.version > layout.version { return known }
            state.layouts[layout.managerID] = layout
            return layout
        }
    }

    /// The settings when known, and the generation to hand back to ``offer(_:readAt:)``.
    func settings() -> (GatewayV1.Settings?, UInt64) {
        state.withLock { ($0.settings, $0.settingsGeneration) }
    }

    /// Offers settings read from the database when the generation was `generation`.
    func offer(_ settings: GatewayV1.Settings, readAt generation: UInt64) {
        state.withLock { state in
            if state.settingsGeneration == generation, state.settings == nil { state.settings = settings }
        }
    }

    /// Replaces the settings (an update, in commit order).
    func replace(_ settings: GatewayV1.Settings) {
        state.withLock { state in
            state.settingsGeneration += 1
            state.settings = settings
        }
    }

    /// Forgets the settings (an update that may not have committed): the next read asks the database.
    func forgetSettings() {
        state.withLock { state in
            state.settingsGeneration += 1
            state.settings = nil
        }
    }
}
