// MARK: - The Operations target
//
// Operator tools' logic: the online backup of every database, the demo history, the progress bar,
// returning freed heap to the kernel.
