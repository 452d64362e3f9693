fn main() -> std::process::ExitCode {
    abc_failover::cli::main()
}
