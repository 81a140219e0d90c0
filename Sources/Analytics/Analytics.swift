// MARK: - The Analytics target
//
// The four live analytics (open-tickets, resolution-time, category-load, service-levels): their aggregates kept from change events, the state file each worker
// keeps (aggregate and last sequence number in one transaction), the worker loop, and the client the
// gateway asks through the broker.
