fn main() -> std::process::ExitCode {
    sfjwt::run()
}
