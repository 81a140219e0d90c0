// MARK: - The ServiceLifecycle target
//
// How a CampusDesk process lives: its configuration from the environment, `Service` and
// `ServiceRunner` (graceful SIGTERM/SIGINT through `StopSignal`), and the command-line conventions
// (`CommandLineTool`, exit codes 0 / 1 / 64).
