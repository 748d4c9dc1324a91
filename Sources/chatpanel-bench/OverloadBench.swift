import ChatPanelProto
import ChatPanelRPC
import Foundation
import Synchronization

/// The overload phases of `chatpanel-bench panel --overload`, run against the gateway the panel
/// benchmark started:
///
/// 1. capacity: 64 closed-loop callers for a few seconds; the rate of whole panels (every widget
///    OK) is the capacity C;
/// 2. ramp: an open-loop load rising from C/2 to 2C over the ramp; per second it prints what
///    was offered, the goodput (whole panels), degraded panels (a widget timed out or
///    unavailable), errors and the slowest answer; a call that takes longer than the panel
///    deadline plus 1.5 s counts as a hang;
/// 3. recovery: C/2 after the ramp, until a whole second passes with nothing degraded or failed;
/// 4. drain: at 0.8C, SIGTERM to the gateway; calls it had accepted must finish (only calls
///    that arrive after the listener closed may fail, with UNAVAILABLE).
struct OverloadPhases {
    let workload: PanelWorkload
    let socket: String
    let panelTimeout: Duration
    let rampSeconds: Int

    /// What came back in one second of load.
    struct Second: Sendable {
        var offered = 0
        var whole = 0
        var degraded = 0
        var errors: [RPCError.Code: Int] = [:]
        /// The first message of each failure code.
        var messages: [RPCError.Code: String] = [:]
        var hangs = 0
        var slowest = Duration.zero

        var summary: String {
            let failed = errors.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value): \(messages[$0.key] ?? "")" }
                .joined(separator: "; ")
            return "offered \(offered), whole \(whole), degraded \(degraded), failed \(errors.values.reduce(0, +))"
                + (failed.isEmpty ? "" : " (\(failed))") + ", hangs \(hangs), slowest \(format(slowest.inSeconds * 1000)) ms"
        }
    }

    func run(gatewayPID: Int32) async throws {
        let capacity = try await measureCapacity()
        print("\nOverload: capacity C = \(Int(capacity)) whole panels/s (64 closed-loop callers)")

        var rampSeconds: [Second] = []
        print("ramp from C/2 to 2C over \(self.rampSeconds) s (open loop):")
        for second in 0..<self.rampSeconds {
            let fraction = 0.5 + 1.5 * Double(second + 1) / Double(self.rampSeconds)
            let result = await offer(rate: capacity * fraction, for: .seconds(1))
            rampSeconds.append(result)
            print("  \(format(fraction))C: " + result.summary)
        }
        let top = rampSeconds.suffix(max(1, self.rampSeconds / 4))
        let topGoodput = Double(top.map(\.whole).reduce(0, +)) / Double(top.count)
        print("  goodput at the top of the ramp: \(Int(topGoodput)) whole panels/s = \(format(topGoodput * 100 / capacity))% of C")

        print("recovery at C/2:")
        var recoveredAfter: Int?
        for second in 1...20 {
            let result = await offer(rate: capacity / 2, for: .seconds(1))
            print("  +\(second) s: " + result.summary)
            if result.degraded == 0, result.errors.isEmpty, result.hangs == 0 {
                recoveredAfter = second
                break
            }
        }
        print("  recovered " + (recoveredAfter.map { "within \($0) s" } ?? "NOT within 20 s"))

        print("drain: SIGTERM to the gateway under 0.8C:")
        let drained = await offer(rate: capacity * 0.8, for: .seconds(3)) {
            kill(gatewayPID, SIGTERM)
        }
        print("  " + drained.summary)
        print("  (UNAVAILABLE: calls that came after the listener closed; any other failure is a call the drain lost)")
    }

    private func measureCapacity() async throws -> Double {
        let run = try await workload.concurrent(socket: socket, callers: 64, calls: 8_000)
        return max(1, run.rate * run.tally.wholeFraction)
    }

    /// Offers `rate` panels a second for `duration`, each on one of 64 connections, and returns
    /// what came back; `midway` runs halfway through.
    private func offer(rate: Double, for duration: Duration, midway: (@Sendable () -> Void)? = nil) async -> Second {
        let clients = (0..<64).map { _ -> RPCClient in
            var configuration = RPCClientConfiguration(socketPath: socket)
            configuration.defaultCaller = PanelWorkload.caller
            configuration.defaultCallTimeout = panelTimeout + .seconds(5)
            return RPCClient(configuration: configuration)
        }
        let result = Tally()
        let hangAfter = panelTimeout + .milliseconds(1500)
        let started = ContinuousClock.now
        let total = Int(rate * duration.inSeconds)
        var midwayDone = midway == nil
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<total {
                let due = started + .seconds(Double(index) / rate)
                if due > .now { try? await Task.sleep(until: due) }
                if !midwayDone, ContinuousClock.now > started + duration / 2 {
                    midway?()
                    midwayDone = true
                }
                let client = clients[index % clients.count]
                let dialog = index
                group.addTask {
                    let call = ContinuousClock.now
                    var request = GatewayV1.GetPanelRequest()
                    request.dialogID = BenchSeed.dialogID(dialog % max(1, workload.dialogs))
                    let outcome: Result<GatewayV1.Panel, RPCError>
                    do {
                        outcome = .success(try await client.unary(GatewayV1.Gateway.getPanel, request))
                    } catch let error as RPCError {
                        outcome = .failure(error)
                    } catch {
                        outcome = .failure(RPCError(code: .unknown, message: "\(error)"))
                    }
                    let elapsed = call.duration(to: .now)
                    result.state.withLock { second in
                        second.offered += 1
                        second.slowest = max(second.slowest, elapsed)
                        if elapsed > hangAfter { second.hangs += 1 }
                        switch outcome {
                        case .success(let panel):
                            // The widgets of the running services (the benchmark runs no orders service).
                            let served = panel.widgets.filter { [.tags, .tasks, .notes].contains($0.kind) }
                            if panel.client?.state == .ok, served.allSatisfy({ $0.state == .ok }) {
                                second.whole += 1
                            } else {
                                second.degraded += 1
                            }
                        case .failure(let error):
                            second.errors[error.code, default: 0] += 1
                            if second.messages[error.code] == nil { second.messages[error.code] = error.message }
                        }
                    }
                }
            }
        }
        for client in clients { await client.close() }
        return result.state.withLock { $0 }
    }
}

/// One second's outcomes, shared by the calls of that second.
private final class Tally: Sendable {
    let state = Mutex(OverloadPhases.Second())
}

extension WidgetTally {
    /// The share of panels whose counted widgets all came back OK.
    var wholeFraction: Double { Double(wholePanels) / Double(max(1, panelCount)) }
}
