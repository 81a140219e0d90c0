// MARK: - The Logging target
//
// `Logger`: one line per event on stderr (`ts level component: message key=value ...`), constant
// messages and keys, never personal data.
