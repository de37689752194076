/// One queued write: what to do on the writer's connection, and whom to tell once its batch has
/// committed (or failed). `apply` nil is a barrier: it writes nothing and completes when every
/// write queued before it has committed (flush).
struct WriteOperation: Sendable {
    /// For errors and logs: "append turn to conversation 3f2a...".
    let name: String
    let apply: (@Sendable (WriteContext) throws -> Void)?
    let completion: (@Sendable (Result<Void, StoreError>) -> Void)?

    var isBarrier: Bool { apply == nil }
}
