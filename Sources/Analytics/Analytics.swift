// MARK: - The Analytics target
//
// The three live analytics: their aggregates kept from change events, the state file each worker
// keeps (aggregate and last sequence number in one transaction), the worker loop, and the client the
// gateway asks through the broker.
