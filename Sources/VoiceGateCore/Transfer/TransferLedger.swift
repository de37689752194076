import Foundation

/// Per organization number: transfers in progress and the times of allowed attempts in the last
/// hour. A value type; its owner holds it under a lock, so reading the counts, deciding and
/// `began` happen as one step and two calls cannot both take the last slot.
public struct TransferLedger: Sendable {
    /// The window of the hourly limit.
    public static let window: TimeInterval = 3600

    private var active: [String: Int] = [:]
    /// Start times of allowed transfers, oldest first, pruned to the window as new ones come in.
    private var starts: [String: [Date]] = [:]

    public init() {}

    /// Transfers of `number` in progress, and begun in the hour before `now`.
    public func counts(for number: String, at now: Date) -> (active: Int, lastHour: Int) {
        let recent = starts[number]?.count { now.timeIntervalSince($0) < Self.window } ?? 0
        return (active[number] ?? 0, recent)
    }

    /// An allowed transfer starts: active +1, counted for the hour.
    public mutating func began(_ number: String, at now: Date) {
        active[number, default: 0] += 1
        var times = starts[number, default: []]
        // Dropping what has left the window keeps the ledger as small as the limits it serves.
        times.removeAll { now.timeIntervalSince($0) >= Self.window }
        times.append(now)
        starts[number] = times
    }

    /// It finished, either way: active -1, never below 0 (a stray second end changes nothing).
    public mutating func ended(_ number: String) {
        guard let count = active[number] else { return }
        active[number] = count > 1 ? count - 1 : nil
    }

    /// Forgets the times that left the window before `now`, for every number (an owner may call
    /// it now and then; `began` already prunes the number it counts).
    public mutating func prune(at now: Date) {
        for (number, times) in starts {
            let kept = times.filter { now.timeIntervalSince($0) < Self.window }
            starts[number] = kept.isEmpty ? nil : kept
        }
    }
}
